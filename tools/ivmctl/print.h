/*
 * ivmctl's human output (print.c): what each command prints when --json
 * is not given.  Each takes a parsed answer; -1 means the answer lacked
 * what the API promises (the caller reports it).
 */
#ifndef IVMCTL_PRINT_H
#define IVMCTL_PRINT_H

#include "ivmctl.h"
#include "json.h"

#include <stdio.h>

/* s with control characters shown as '?'. */
void ivm_print_safe(FILE *f, const char *s);
/* {"vms":[...]} as a table. */
int ivm_print_vms(FILE *f, const struct ivm_json *j);
/* An object's members as aligned "Key: value" lines, null as "-". */
int ivm_print_object(FILE *f, const struct ivm_json *j, int obj);
/* "task 7: Shutdown testos1: Success" (with the error when it failed). */
void ivm_print_task_line(FILE *f, const struct ivm_json *j, int task);
/* {"Count":N,"tasks":[...]} as a table. */
int ivm_print_tasks(FILE *f, const struct ivm_json *j);
/* {"events":[...],"next":N,"missed":M}: one line per event, *next set. */
int ivm_print_events(FILE *f, FILE *err, const struct ivm_json *j, long long *next);
/* "ivmctl: NAME (HRESULT): message", or the HTTP status without an error body. */
void ivm_print_api_error(FILE *f, const struct ivm_response *resp);

#endif
