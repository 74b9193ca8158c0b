/*
 * console=serial: the word hv.cfg's examples give the root.  Its console
 * is always COM1 through hv, so nothing reads the value; the knob is
 * registered so that the root does not call the word unknown.
 */
#include "knobs.h"

static const struct root_knob console_knob = { .name = "console" };
ROOT_KNOB(console_knob, 00);
