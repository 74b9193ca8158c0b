/*
 * Unit tests of ivmctl (tools/ivmctl): the command line, token and host
 * resolution, HTTP responses through llhttp, JSON through jsmn, and whole
 * commands run against canned HTTP answers (a fake transport that records
 * each request), with their output and exit status.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "ivmctl_fixture.h"
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- fake environment ---- */

#define MAX_EXCHANGES 16

struct fake {
	const char *answers[MAX_EXCHANGES]; /* raw HTTP responses, NULL ends them */
	int next;
	char *requests[MAX_EXCHANGES];
	uint64_t clock;
	unsigned slept;
};

static struct fake fake;

static int fake_exchange(void *ctx, const char *request, size_t len, struct ivm_response *resp,
			 char *err, size_t errlen)
{
	struct fake *f = ctx;
	const char *answer = f->next < MAX_EXCHANGES ? f->answers[f->next] : NULL;

	*resp = (struct ivm_response){ 0 };
	if (f->next < MAX_EXCHANGES)
		f->requests[f->next] = strndup(request, len);
	f->next++;
	f->clock += 1000; /* each exchange "takes" the server's wait */
	if (answer == NULL) {
		snprintf(err, errlen, "cannot connect: Connection refused");
		return -1;
	}
	if (ivm_http_parse(answer, strlen(answer), resp) != 0) {
		snprintf(err, errlen, "the server's answer is not valid HTTP/1.1");
		return -1;
	}
	return 0;
}

static uint64_t fake_now(void)
{
	return fake.clock;
}

static void fake_sleep(unsigned ms)
{
	fake.slept += ms;
}

static int setup(void **state)
{
	(void)state;
	memset(&fake, 0, sizeof(fake));
	ivm_fixture_open((struct ivm_transport){ fake_exchange, &fake }, fake_now, fake_sleep,
			 "secret");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ivm_fixture_close();
	for (int i = 0; i < MAX_EXCHANGES; i++)
		free(fake.requests[i]);
	return 0;
}

/* A canned answer with a JSON body. */
static const char *answer(int status, const char *reason, const char *extra_headers,
			  const char *body)
{
	static char bufs[MAX_EXCHANGES][8192];
	static int n;
	char *b = bufs[n++ % MAX_EXCHANGES];

	snprintf(b, sizeof(bufs[0]),
		 "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n%sContent-Length: %zu\r\n\r\n%s",
		 status, reason, extra_headers, strlen(body), body);
	return b;
}

#define TASK(pct, complete, result, error, errname) \
	"{\"ID\":7,\"Description\":\"Shutdown testos1\",\"vm\":\"testos1\",\"kind\":\"shutdown\"," \
	"\"IsComplete\":" complete ",\"PercentCompleted\":" pct ",\"Result\":" result "," \
	"\"Error\":\"" error "\",\"ErrorName\":" errname ",\"ErrorDescription\":\"the guest said no\"," \
	"\"IsCancelable\":false,\"createdMs\":1234,\"completedMs\":null}"
#define TASK_RUNNING(pct) TASK(#pct, "false", "null", "0x00000000", "\"S_OK\"")
#define TASK_DONE(result) TASK("100", "true", "\"" result "\"", "0x00000000", "\"S_OK\"")

/* ---- command line ---- */

static int parse_words(const char *const *words, struct ivm_cmd *cmd, char *err)
{
	char *argv[32] = { "ivmctl" };
	int argc = 1;

	for (; words[argc - 1] != NULL; argc++)
		argv[argc] = (char *)words[argc - 1];
	return ivm_args_parse(argc, argv, cmd, err, 256);
}

#define PARSE(cmd, err, ...) parse_words((const char *const[]){ __VA_ARGS__, NULL }, cmd, err)

static void test_args_commands(void **state)
{
	struct ivm_cmd c;
	char err[256];

	(void)state;
	assert_int_equal(PARSE(&c, err, "--json", "vms", "--host", "h:1", "--token", "t"), 0);
	assert_int_equal(c.verb, IVM_VMS);
	assert_true(c.json);
	assert_string_equal(c.host, "h:1");
	assert_string_equal(c.token, "t");
	/* HTTPS's options are global too, wherever they stand. */
	assert_int_equal(PARSE(&c, err, "--cacert", "ca.pem", "vms", "--fingerprint", "AB",
			       "--insecure", "--cert", "c.pem", "--key", "k.pem"), 0);
	assert_string_equal(c.cacert, "ca.pem");
	assert_string_equal(c.fingerprint, "AB");
	assert_true(c.insecure);
	assert_string_equal(c.cert, "c.pem");
	assert_string_equal(c.key, "k.pem");
	assert_int_equal(PARSE(&c, err, "vms", "--cacert"), -1);
	expect_in(err, "--cacert needs a value");
	assert_int_equal(PARSE(&c, err, "shutdown", "testos1", "--force", "--reason", "maint",
			       "--timeout", "60", "--wait"), 0);
	assert_int_equal(c.verb, IVM_SHUTDOWN);
	assert_string_equal(c.vm, "testos1");
	assert_true(c.force && c.wait);
	assert_string_equal(c.reason, "maint");
	assert_int_equal(c.timeout_s, 60);
	assert_int_equal(PARSE(&c, err, "param", "set", "g", "Color", "blue"), 0);
	assert_int_equal(c.verb, IVM_PARAM_SET);
	assert_string_equal(c.name, "Color");
	assert_string_equal(c.value, "blue");
	assert_int_equal(PARSE(&c, err, "task", "12", "--wait"), 0);
	assert_int_equal(c.task_id, 12);
	assert_true(c.wait);
	assert_int_equal(c.wait_ms, IVM_WAIT_FOREVER);
	assert_int_equal(PARSE(&c, err, "task", "12", "--wait", "5000"), 0);
	assert_int_equal(c.wait_ms, 5000);
	assert_int_equal(PARSE(&c, err, "events", "--follow"), 0);
	assert_true(c.follow);
	assert_int_equal(PARSE(&c, err, "restart", "g", "--force"), 0);
	assert_int_equal(PARSE(&c, err, "logoff", "g", "--wait"), 0);
	assert_int_equal(PARSE(&c, err, "cancel", "3"), 0);
	assert_int_equal(c.verb, IVM_CANCEL);
	assert_int_equal(PARSE(&c, err, "--help"), 1);
	assert_int_equal(PARSE(&c, err, "vms", "-h"), 1);
}

static void test_args_exec(void **state)
{
	struct ivm_cmd c;
	char err[256];

	(void)state;
	assert_int_equal(PARSE(&c, err, "exec", "g", "echo", "hi", "--wait", "there"), 0);
	assert_string_equal(c.command, "echo hi there");
	assert_true(c.wait);
	ivm_args_free(&c);
	/* Dashes after the VM belong to the command, except ivmctl's own options. */
	assert_int_equal(PARSE(&c, err, "exec", "g", "ls", "--force", "-l", "--json"), 0);
	assert_string_equal(c.command, "ls --force -l");
	assert_true(c.json);
	assert_false(c.wait);
	ivm_args_free(&c);
	assert_int_equal(PARSE(&c, err, "exec", "g", "--", "--wait", "x"), 0);
	assert_string_equal(c.command, "--wait x");
	assert_false(c.wait);
	ivm_args_free(&c);
	assert_int_equal(PARSE(&c, err, "exec", "g"), -1);
	expect_in(err, "wrong number of arguments for 'exec'");
}

static void test_args_refused(void **state)
{
	struct ivm_cmd c;
	char err[256];

	(void)state;
	assert_int_equal(PARSE(&c, err, "frobnicate"), -1);
	expect_in(err, "unknown command 'frobnicate'");
	assert_int_equal(parse_words((const char *const[]){ NULL }, &c, err), -1);
	expect_in(err, "no command");
	assert_int_equal(PARSE(&c, err, "guestos"), -1);
	expect_in(err, "wrong number of arguments for 'guestos'");
	assert_int_equal(PARSE(&c, err, "vms", "extra"), -1);
	expect_in(err, "wrong number of arguments");
	assert_int_equal(PARSE(&c, err, "param", "get", "g"), -1);
	expect_in(err, "'param get'");
	assert_int_equal(PARSE(&c, err, "param", "delete", "g", "x"), -1);
	expect_in(err, "unknown command 'param'");
	assert_int_equal(PARSE(&c, err, "vms", "--wait"), -1);
	expect_in(err, "not one 'vms' takes");
	assert_int_equal(PARSE(&c, err, "logoff", "g", "--timeout", "5"), -1);
	expect_in(err, "not one 'logoff' takes");
	assert_int_equal(PARSE(&c, err, "shutdown", "g", "--timeout", "0"), -1);
	expect_in(err, "--timeout must be 1-3600");
	assert_int_equal(PARSE(&c, err, "shutdown", "g", "--timeout", "3601"), -1);
	assert_int_equal(PARSE(&c, err, "shutdown", "g", "--reason"), -1);
	expect_in(err, "--reason needs a value");
	assert_int_equal(PARSE(&c, err, "vms", "--host"), -1);
	expect_in(err, "--host needs a value");
	assert_int_equal(PARSE(&c, err, "vms", "--colour"), -1);
	expect_in(err, "unknown option --colour");
	assert_int_equal(PARSE(&c, err, "task", "0"), -1);
	expect_in(err, "task ID must be a positive number");
	assert_int_equal(PARSE(&c, err, "task", "7x"), -1);
	assert_int_equal(PARSE(&c, err, "task", "7", "--wait", "4000001"), -1);
	expect_in(err, "--wait MS must be 0-4000000");
	/* Only `task` takes --wait MS: elsewhere the number is one word too many. */
	assert_int_equal(PARSE(&c, err, "shutdown", "g", "--wait", "5"), -1);
	expect_in(err, "wrong number of arguments");
}

static void test_token_and_host(void **state)
{
	char dir[] = "/tmp/ivmctl-test-XXXXXX", path[256];
	struct ivm_endpoint ep;
	char *t;
	FILE *f;

	(void)state;
	t = ivm_token_resolve("  opt  ", "env", "/nonexistent");
	assert_string_equal(t, "opt");
	free(t);
	t = ivm_token_resolve(NULL, "env\n", "/nonexistent");
	assert_string_equal(t, "env");
	free(t);
	assert_null(ivm_token_resolve(NULL, "", "/nonexistent"));
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/.config", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/.config/ivmctl", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/.config/ivmctl/token", dir);
	f = fopen(path, "w");
	fputs("\tfile-token \r\nsecond line\n", f);
	fclose(f);
	t = ivm_token_resolve(NULL, NULL, dir);
	assert_string_equal(t, "file-token");
	free(t);
	unlink(path);
	assert_null(ivm_token_resolve(NULL, NULL, dir));

	assert_true(ivm_endpoint_parse("127.0.0.1:8080", &ep));
	assert_true(ep.tls);                   /* no scheme: HTTPS */
	assert_string_equal(ep.host, "127.0.0.1");
	assert_string_equal(ep.port, "8080");
	assert_true(ivm_endpoint_parse("example.org", &ep));
	assert_string_equal(ep.port, "443");
	assert_true(ivm_endpoint_parse("http://example.org", &ep));
	assert_false(ep.tls);
	assert_string_equal(ep.port, "80");
	assert_true(ivm_endpoint_parse("https://[::1]:81", &ep));
	assert_true(ep.tls);
	assert_string_equal(ep.host, "::1");
	assert_string_equal(ep.port, "81");
	assert_false(ivm_endpoint_parse("::1", &ep));
	assert_false(ivm_endpoint_parse(":80", &ep));
	assert_false(ivm_endpoint_parse("h:0", &ep));
	assert_false(ivm_endpoint_parse("h:65536", &ep));
	assert_false(ivm_endpoint_parse("h:8x", &ep));
	assert_false(ivm_endpoint_parse("[::1", &ep));
	assert_false(ivm_endpoint_parse("ftp://h", &ep));
	assert_false(ivm_endpoint_parse("https://", &ep));
}

/* --fingerprint: openssl's AB:CD:... form, or the bare digits, either case. */
static void test_fingerprint(void **state)
{
	static const char colons[] = "1A:88:1F:AE:6E:26:EE:86:F4:AB:01:8A:3B:8D:4D:BA:"
				     "8A:16:7E:A6:3F:D3:5E:83:9A:45:08:7D:57:44:5C:D3";
	unsigned char a[32], b[32];

	(void)state;
	assert_true(ivm_fingerprint_parse(colons, a));
	assert_int_equal(a[0], 0x1a);
	assert_int_equal(a[31], 0xd3);
	assert_true(ivm_fingerprint_parse("1a881fae6e26ee86f4ab018a3b8d4dba8a167ea63fd35e839a45087d57445cd3",
					  b));
	assert_memory_equal(a, b, 32);
	assert_false(ivm_fingerprint_parse("1A:88", a));                  /* too short */
	assert_false(ivm_fingerprint_parse(colons + 3, a));
	assert_false(ivm_fingerprint_parse("", a));
	assert_false(ivm_fingerprint_parse("1a881fae6e26ee86f4ab018a3b8d4dba8a167ea63fd35e839a45087d57445cd3:",
					   a));                               /* trailing ':' */
	assert_false(ivm_fingerprint_parse("1a881fae6e26ee86f4ab018a3b8d4dba8a167ea63fd35e839a45087d57445cd300",
					   a));                               /* too long */
	assert_false(ivm_fingerprint_parse("zz881fae6e26ee86f4ab018a3b8d4dba8a167ea63fd35e839a45087d57445cd3",
					   a));
}

/* ---- HTTP and JSON ---- */

static void test_http_responses(void **state)
{
	static const char chunked[] =
		"HTTP/1.1 202 Accepted\r\nLocation: /api/v1/tasks/9\r\nTransfer-Encoding: chunked\r\n\r\n"
		"5\r\n{\"ID\"\r\n4\r\n:9}\n\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n";
	static const char closed[] = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 2\r\n\r\nbusy";
	struct ivm_response r;
	struct ivm_http_reader *rd;

	(void)state;
	assert_int_equal(ivm_http_parse(chunked, strlen(chunked), &r), 0);
	assert_int_equal(r.status, 202);
	assert_string_equal(r.reason, "Accepted");
	assert_string_equal(r.location, "/api/v1/tasks/9");
	assert_string_equal(r.body, "{\"ID\":9}\n"); /* the next message is not read */
	ivm_response_free(&r);
	/* Byte by byte, a body that ends when the server closes. */
	rd = ivm_http_reader_new(&r);
	for (size_t i = 0; i < strlen(closed); i++)
		assert_int_equal(ivm_http_reader_feed(rd, closed + i, 1), 0);
	assert_false(r.complete);
	assert_int_equal(ivm_http_reader_eof(rd), 0);
	assert_int_equal(r.status, 503);
	assert_int_equal(r.retry_after, 2);
	assert_string_equal(r.body, "busy");
	ivm_http_reader_free(rd);
	ivm_response_free(&r);
	/* Truncated and malformed answers are refused. */
	assert_int_equal(ivm_http_parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 41, &r), -1);
	ivm_response_free(&r);
	assert_int_equal(ivm_http_parse("SMTP ready\r\n", 12, &r), -1);
	ivm_response_free(&r);
	assert_int_equal(ivm_http_parse("", 0, &r), -1);
	ivm_response_free(&r);
}

static void test_http_request(void **state)
{
	size_t len;
	char *req;
	char *buf = NULL;
	size_t size;
	FILE *f;

	(void)state;
	req = ivm_http_request("POST", "h:1", "/api/v1/x", "tok", "{\"a\":1}", &len);
	assert_string_equal(req, "POST /api/v1/x HTTP/1.1\r\nHost: h:1\r\nUser-Agent: ivmctl/1\r\n"
			    "Accept: application/json\r\nConnection: close\r\n"
			    "Authorization: Bearer tok\r\nContent-Type: application/json\r\n"
			    "Content-Length: 7\r\n\r\n{\"a\":1}");
	assert_int_equal(len, strlen(req));
	free(req);
	req = ivm_http_request("GET", "h", "/", NULL, NULL, &len);
	assert_null(strstr(req, "Authorization"));
	assert_non_null(strstr(req, "\r\n\r\n"));
	free(req);
	req = ivm_http_request("POST", "h", "/", "", NULL, &len);
	assert_non_null(strstr(req, "Content-Length: 0\r\n\r\n"));
	assert_null(strstr(req, "Authorization"));
	free(req);
	f = open_memstream(&buf, &size);
	ivm_path_escape(f, "my param/é~x");
	fclose(f);
	assert_string_equal(buf, "my%20param%2F%C3%A9~x");
	free(buf);
}

static void test_json(void **state)
{
	static const char doc[] =
		" {\"a\":{\"b\":[1,{\"c\":\"x\\\"y\\\\z\\n\\u00e9\\ud83d\\ude00\\ud800!\"}]},"
		"\"n\":null,\"t\":true,\"f\":false,\"i\":-42} \n";
	struct ivm_json j;
	long long i;
	bool b;
	char *s;
	int arr, key;

	(void)state;
	assert_int_equal(ivm_json_parse(&j, doc, strlen(doc)), 0);
	arr = ivm_json_key(&j, ivm_json_key(&j, 0, "a"), "b");
	assert_int_equal(ivm_json_type(&j, arr), IVM_JSON_ARRAY);
	assert_int_equal(ivm_json_count(&j, arr), 2);
	assert_true(ivm_json_int(&j, ivm_json_elem(&j, arr, 0), &i));
	assert_int_equal(i, 1);
	s = ivm_json_text(&j, ivm_json_key(&j, ivm_json_elem(&j, arr, 1), "c"));
	assert_string_equal(s, "x\"y\\z\n\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbd!");
	free(s);
	assert_int_equal(ivm_json_elem(&j, arr, 2), -1);
	assert_int_equal(ivm_json_type(&j, ivm_json_key(&j, 0, "n")), IVM_JSON_NULL);
	assert_true(ivm_json_bool(&j, ivm_json_key(&j, 0, "t"), &b) && b);
	assert_true(ivm_json_bool(&j, ivm_json_key(&j, 0, "f"), &b) && !b);
	assert_true(ivm_json_int(&j, ivm_json_key(&j, 0, "i"), &i));
	assert_int_equal(i, -42);
	assert_false(ivm_json_int(&j, ivm_json_key(&j, 0, "t"), &i));
	assert_int_equal(ivm_json_key(&j, 0, "missing"), -1);
	assert_int_equal(ivm_json_type(&j, -1), IVM_JSON_NONE);
	assert_int_equal(ivm_json_member(&j, 0, 1, &key), ivm_json_key(&j, 0, "n"));
	s = ivm_json_get_text(&j, 0, "n", "dflt");
	assert_string_equal(s, "dflt");
	free(s);
	ivm_json_free(&j);
	assert_int_equal(ivm_json_parse(&j, "{\"a\":1} x", 9), -1);
	assert_int_equal(ivm_json_parse(&j, "{\"a\":", 5), -1);
	assert_int_equal(ivm_json_parse(&j, "", 0), -1);
	s = ivm_json_quote("a\"b\\c\n\x01");
	assert_string_equal(s, "\"a\\\"b\\\\c\\u000a\\u0001\"");
	free(s);
}

/* ---- commands against canned answers ---- */

static void test_vms(void **state)
{
	(void)state;
	fake.answers[0] = answer(200, "OK", "",
		"{\"vms\":[{\"name\":\"root\",\"id\":0,\"role\":\"root\",\"state\":\"Running\","
		"\"memoryMiB\":256,\"vpCount\":1,\"stateCause\":null},"
		"{\"name\":\"testos1\",\"id\":1,\"role\":\"guest\",\"state\":\"Off\",\"memoryMiB\":64,"
		"\"vpCount\":1,\"stateCause\":\"guest poweroff\"}]}");
	assert_int_equal(RUN("vms"), IVM_EXIT_OK);
	expect_in(fake.requests[0], "GET /api/v1/vms HTTP/1.1\r\n");
	expect_in(fake.requests[0], "Authorization: Bearer secret\r\n");
	expect_in(out_buf, "NAME");
	expect_in(out_buf, "root                 0   root   Running   256M    1    -\n");
	expect_in(out_buf, "testos1              1   guest  Off       64M     1    guest poweroff\n");
	assert_int_equal(err_size, 0);
}

static void test_json_output_untouched(void **state)
{
	static const char body[] = "{\"vms\":[],\"extra\":\"\\u001b\"}";

	(void)state;
	fake.answers[0] = answer(200, "OK", "", body);
	assert_int_equal(RUN("vms", "--json"), IVM_EXIT_OK);
	assert_string_equal(out_buf, "{\"vms\":[],\"extra\":\"\\u001b\"}\n");
}

static void test_api_errors(void **state)
{
	(void)state;
	fake.answers[0] = answer(404, "Not Found", "",
		"{\"error\":{\"hresult\":\"0xA0040207\",\"name\":\"VM_E_VM_UNKNOWN\","
		"\"message\":\"no VM named 'nope'\"}}");
	fake.answers[1] = answer(401, "Unauthorized", "WWW-Authenticate: Bearer\r\n",
		"{\"error\":{\"hresult\":\"0x80070005\",\"name\":\"E_ACCESSDENIED\",\"message\":\"x\"}}");
	fake.answers[2] = answer(403, "Forbidden", "",
		"{\"error\":{\"hresult\":\"0x80070005\",\"name\":\"E_ACCESSDENIED\",\"message\":\"y\"}}");
	fake.answers[3] = answer(500, "Internal Server Error", "", "oops");
	fake.answers[4] = answer(409, "Conflict", "",
		"{\"error\":{\"hresult\":\"0x80041234\",\"name\":null,\"message\":\"from the guest\"}}");
	assert_int_equal(RUN("guestos", "nope"), IVM_EXIT_API);
	assert_int_equal(RUN("vms"), IVM_EXIT_DENIED);
	assert_int_equal(RUN("vm", "x"), IVM_EXIT_DENIED);
	assert_int_equal(RUN("tasks"), IVM_EXIT_API);
	assert_int_equal(RUN("shutdown", "x"), IVM_EXIT_API);
	expect_in(err_buf, "ivmctl: VM_E_VM_UNKNOWN (0xA0040207): no VM named 'nope'\n");
	expect_in(err_buf, "ivmctl: E_ACCESSDENIED (0x80070005): x\n");
	expect_in(err_buf, "ivmctl: HTTP 500 Internal Server Error\n");
	expect_in(err_buf, "ivmctl: 0x80041234: from the guest\n");
	assert_int_equal(out_size, 0);
	/* With --json the error body goes to stdout as well. */
	fake.answers[5] = answer(404, "Not Found", "", "{\"error\":{\"hresult\":\"0x1\"}}");
	assert_int_equal(RUN("--json", "vm", "x"), IVM_EXIT_API);
	assert_string_equal(out_buf, "{\"error\":{\"hresult\":\"0x1\"}}\n");
}

static void test_connection_failure(void **state)
{
	(void)state;
	assert_int_equal(RUN("vms"), IVM_EXIT_CONNECT);
	expect_in(err_buf, "ivmctl: 127.0.0.1:8080: cannot connect: Connection refused\n");
	fake.answers[1] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n{";
	fake.next = 1;
	assert_int_equal(RUN("vms"), IVM_EXIT_CONNECT);
	fake.answers[2] = answer(200, "OK", "", "[1,2]");
	assert_int_equal(RUN("vms"), IVM_EXIT_API);
	expect_in(err_buf, "not what the API describes");
}

static void test_retry_after(void **state)
{
	(void)state;
	fake.answers[0] = answer(503, "Service Unavailable", "Retry-After: 1\r\n",
		"{\"error\":{\"hresult\":\"0xA0040203\",\"name\":\"VM_E_OUT_OF_RESOURCE\",\"message\":\"busy\"}}");
	fake.answers[1] = answer(200, "OK", "", "{\"Count\":0,\"tasks\":[]}");
	assert_int_equal(RUN("tasks"), IVM_EXIT_OK);
	assert_int_equal(fake.slept, 1000);
	assert_int_equal(fake.next, 2);
	expect_in(out_buf, "ID    VM");
}

static void test_shutdown_wait(void **state)
{
	(void)state;
	fake.answers[0] = answer(202, "Accepted", "Location: /api/v1/tasks/7\r\n", TASK_RUNNING(10));
	fake.answers[1] = answer(200, "OK", "", TASK_RUNNING(50));
	fake.answers[2] = answer(200, "OK", "", TASK_RUNNING(50));
	fake.answers[3] = answer(200, "OK", "", TASK_DONE("Success"));
	assert_int_equal(RUN("shutdown", "testos1", "--force", "--reason", "maint \"x\"", "--timeout",
			     "60", "--wait"), IVM_EXIT_OK);
	expect_in(fake.requests[0], "POST /api/v1/vms/testos1/guestos/shutdown HTTP/1.1\r\n");
	expect_in(fake.requests[0],
		  "\r\n\r\n{\"forced\":true,\"reason\":\"maint \\\"x\\\"\",\"timeoutSeconds\":60}");
	expect_in(fake.requests[1], "GET /api/v1/tasks/7?wait=1000 HTTP/1.1\r\n");
	/* Not a terminal: one line per change of PercentCompleted, on stderr. */
	assert_string_equal(err_buf, "task 7: 50% Shutdown testos1\n"
			    "task 7: 100% Shutdown testos1\n");
	assert_string_equal(out_buf, "task 7: Shutdown testos1: Success\n");
}

static void test_wait_results(void **state)
{
	(void)state;
	fake.answers[0] = answer(202, "Accepted", "", TASK_RUNNING(10));
	fake.answers[1] = answer(200, "OK", "", TASK_DONE("TimeOutError"));
	fake.answers[2] = answer(202, "Accepted", "", TASK_RUNNING(10));
	fake.answers[3] = answer(200, "OK", "", TASK_DONE("Cancelled"));
	fake.answers[4] = answer(202, "Accepted", "", TASK_RUNNING(10));
	fake.answers[5] = answer(200, "OK", "",
		TASK("100", "true", "\"UnexpectedError\"", "0x800704F7", "\"ERROR_MACHINE_LOCKED\""));
	fake.answers[6] = answer(202, "Accepted", "", TASK_RUNNING(10));
	fake.answers[7] = answer(200, "OK", "", TASK("100", "true", "\"UnexpectedError\"", "0x80041234", "null"));
	assert_int_equal(RUN("restart", "testos1", "--wait"), IVM_EXIT_TIMEOUT);
	assert_int_equal(RUN("logoff", "testos1", "--wait"), IVM_EXIT_CANCELLED);
	assert_int_equal(RUN("shutdown", "testos1", "--wait"), IVM_EXIT_FAILED);
	assert_int_equal(RUN("shutdown", "testos1", "--wait"), IVM_EXIT_FAILED);
	expect_in(fake.requests[0], "POST /api/v1/vms/testos1/guestos/restart HTTP/1.1\r\n");
	expect_in(fake.requests[0], "\r\n\r\n{}");
	expect_in(fake.requests[2], "POST /api/v1/vms/testos1/guestos/logoff HTTP/1.1\r\n");
	expect_in(fake.requests[2], "Content-Length: 0\r\n\r\n");
	expect_in(err_buf, "task 7: Shutdown testos1: TimeOutError\n");
	expect_in(err_buf, "task 7: Shutdown testos1: UnexpectedError ERROR_MACHINE_LOCKED (0x800704F7): "
		  "the guest said no\n");
	expect_in(err_buf, "UnexpectedError 0x80041234: the guest said no\n");
}

static void test_progress_bar(void **state)
{
	(void)state;
	env.out_is_tty = true;
	fake.answers[0] = answer(202, "Accepted", "", TASK_RUNNING(10));
	fake.answers[1] = answer(200, "OK", "", TASK_RUNNING(40));
	fake.answers[2] = answer(200, "OK", "", TASK_DONE("Success"));
	assert_int_equal(RUN("turnoff", "testos1", "--wait"), IVM_EXIT_OK);
	expect_in(fake.requests[0], "POST /api/v1/vms/testos1/turnoff HTTP/1.1\r\n");
	expect_in(fake.requests[0], "Content-Length: 0\r\n\r\n");
	expect_in(out_buf, "\r[############                  ]  40% Shutdown testos1");
	expect_in(out_buf, "\r[##############################] 100% Shutdown testos1\n"
		  "task 7: Shutdown testos1: Success\n");
}

static void test_no_wait_and_json_wait(void **state)
{
	(void)state;
	fake.answers[0] = answer(202, "Accepted", "", TASK_RUNNING(10));
	assert_int_equal(RUN("start", "testos1"), IVM_EXIT_OK);
	assert_string_equal(out_buf, "task 7: Shutdown testos1: Running 10%\n"
			    "(follow it with: ivmctl task 7 --wait)\n");
	fake.answers[1] = answer(202, "Accepted", "", TASK_RUNNING(10));
	fake.answers[2] = answer(200, "OK", "", TASK_RUNNING(60));
	fake.answers[3] = answer(200, "OK", "", TASK_DONE("Success"));
	assert_int_equal(RUN("reset", "testos1", "--wait", "--json"), IVM_EXIT_OK);
	/* --json: no progress, the final task exactly as sent. */
	expect_in(out_buf, "(follow it with: ivmctl task 7 --wait)\n" TASK_DONE("Success") "\n");
}

#define EXEC_DONE(status, output) \
	"{\"ID\":8,\"Description\":\"Execute on testos1\",\"vm\":\"testos1\",\"IsComplete\":true," \
	"\"PercentCompleted\":100,\"Result\":\"Success\",\"Error\":\"0x00000000\"," \
	"\"ErrorName\":\"S_OK\",\"output\":{\"exitStatus\":" status ",\"output\":\"" output "\"}}"

static void test_exec(void **state)
{
	(void)state;
	fake.answers[0] = answer(202, "Accepted", "", TASK_RUNNING(10));
	fake.answers[1] = answer(200, "OK", "", EXEC_DONE("3", "hello\\nworld\\n"));
	assert_int_equal(RUN("exec", "testos1", "echo", "hello \"world\"", "--wait"), 3);
	expect_in(fake.requests[0], "POST /api/v1/vms/testos1/guestos/execute HTTP/1.1\r\n");
	expect_in(fake.requests[0], "\r\n\r\n{\"command\":\"echo hello \\\"world\\\"\"}");
	expect_in(out_buf, "hello\nworld\n");
	/* On a terminal, the guest's control characters are neutralised. */
	env.out_is_tty = true;
	fake.answers[2] = answer(202, "Accepted", "", TASK_RUNNING(10));
	fake.answers[3] = answer(200, "OK", "", EXEC_DONE("0", "\\u001b[2Jok\\tx\\n"));
	assert_int_equal(RUN("exec", "testos1", "clear", "--wait"), 0);
	expect_in(out_buf, "\n?[2Jok\tx\n");
	/* --json: the task as sent, the command's status as ours. */
	env.out_is_tty = false;
	fake.answers[4] = answer(202, "Accepted", "", TASK_RUNNING(10));
	fake.answers[5] = answer(200, "OK", "", EXEC_DONE("300", ""));
	assert_int_equal(RUN("--json", "exec", "testos1", "x", "--wait"), 255);
	expect_in(out_buf, EXEC_DONE("300", "") "\n");
	/* A failed exec task is the task's failure, not a command status. */
	fake.answers[6] = answer(202, "Accepted", "", TASK_RUNNING(10));
	fake.answers[7] = answer(200, "OK", "", TASK_DONE("TimeOutError"));
	assert_int_equal(RUN("exec", "testos1", "x", "--wait"), IVM_EXIT_TIMEOUT);
}

static void test_task_wait_limit(void **state)
{
	(void)state;
	fake.answers[0] = answer(200, "OK", "", TASK_RUNNING(50));
	fake.answers[1] = answer(200, "OK", "", TASK_RUNNING(50));
	fake.answers[2] = answer(200, "OK", "", TASK_RUNNING(50));
	assert_int_equal(RUN("task", "7", "--wait", "2500"), IVM_EXIT_RUNNING);
	expect_in(fake.requests[0], "GET /api/v1/tasks/7?wait=1000 ");
	expect_in(fake.requests[2], "GET /api/v1/tasks/7?wait=500 ");
	assert_int_equal(fake.next, 3);
	expect_in(out_buf, "task 7: Shutdown testos1: Running 50%\n");
	/* Without --wait: one GET, the task as key-value lines. */
	fake.answers[3] = answer(200, "OK", "", TASK_DONE("Success"));
	assert_int_equal(RUN("task", "7"), IVM_EXIT_OK);
	expect_in(fake.requests[3], "GET /api/v1/tasks/7 HTTP/1.1");
	expect_in(out_buf, "ID:               7\n");
	expect_in(out_buf, "completedMs:      -\n");
}

static void test_param(void **state)
{
	(void)state;
	fake.answers[0] = answer(200, "OK", "", "{\"name\":\"my param\",\"value\":\"a \\\"b\\\" \\u00e9\"}");
	fake.answers[1] = answer(200, "OK", "", "{\"name\":\"Color\",\"value\":\"blue\"}");
	fake.answers[2] = answer(404, "Not Found", "",
		"{\"error\":{\"hresult\":\"0xA0040300\",\"name\":\"VM_E_PREF_NOT_FOUND\",\"message\":\"no\"}}");
	assert_int_equal(RUN("param", "get", "testos1", "my param"), IVM_EXIT_OK);
	expect_in(fake.requests[0], "GET /api/v1/vms/testos1/guestos/parameters/my%20param HTTP/1.1");
	assert_int_equal(RUN("param", "set", "testos1", "Color", "blue"), IVM_EXIT_OK);
	expect_in(fake.requests[1], "PUT /api/v1/vms/testos1/guestos/parameters/Color HTTP/1.1");
	expect_in(fake.requests[1], "\r\n\r\n{\"value\":\"blue\"}");
	assert_string_equal(out_buf, "a \"b\" \xc3\xa9\nColor = blue\n");
	assert_int_equal(RUN("param", "get", "testos1", "x"), IVM_EXIT_API);
	expect_in(err_buf, "VM_E_PREF_NOT_FOUND (0xA0040300): no");
}

static void test_guestos(void **state)
{
	(void)state;
	fake.answers[0] = answer(200, "OK", "",
		"{\"vm\":\"testos1\",\"OSName\":\"testos \\u001b[31mred\",\"OSBuildNumber\":42,"
		"\"IsHeartbeating\":true,\"CSDVersion\":null}");
	assert_int_equal(RUN("guestos", "test os"), IVM_EXIT_OK);
	expect_in(fake.requests[0], "GET /api/v1/vms/test%20os/guestos HTTP/1.1");
	assert_string_equal(out_buf, "vm:             testos1\n"
			    "OSName:         testos ?[31mred\n"
			    "OSBuildNumber:  42\n"
			    "IsHeartbeating: true\n"
			    "CSDVersion:     -\n");
}

static void test_tasks_and_cancel(void **state)
{
	(void)state;
	fake.answers[0] = answer(200, "OK", "",
		"{\"Count\":2,\"tasks\":[" TASK_RUNNING(40) ","
		TASK("100", "true", "\"UnexpectedError\"", "0x800704F7", "\"ERROR_MACHINE_LOCKED\"") "]}");
	fake.answers[1] = answer(200, "OK", "", TASK_DONE("Cancelled"));
	fake.answers[2] = answer(409, "Conflict", "",
		"{\"error\":{\"hresult\":\"0x80004005\",\"name\":\"E_FAIL\",\"message\":\"not cancelable\"}}");
	assert_int_equal(RUN("tasks"), IVM_EXIT_OK);
	expect_in(out_buf, "7     testos1              Running 40%      -                            "
		  "Shutdown testos1\n");
	expect_in(out_buf, "7     testos1              UnexpectedError  ERROR_MACHINE_LOCKED         "
		  "Shutdown testos1\n");
	assert_int_equal(RUN("cancel", "7"), IVM_EXIT_OK);
	expect_in(fake.requests[1], "POST /api/v1/tasks/7/cancel HTTP/1.1");
	expect_in(out_buf, "task 7: Shutdown testos1: Cancelled\n");
	assert_int_equal(RUN("cancel", "7"), IVM_EXIT_API);
	expect_in(err_buf, "ivmctl: E_FAIL (0x80004005): not cancelable\n");
}

static void test_events(void **state)
{
	(void)state;
	fake.answers[0] = answer(200, "OK", "",
		"{\"events\":[{\"seq\":12,\"timeMs\":123456,\"vm\":\"testos1\",\"type\":\"stateChanged\","
		"\"state\":\"Off\",\"cause\":\"guest poweroff\"},{\"seq\":13,\"timeMs\":123500,"
		"\"vm\":\"testos1\",\"type\":\"taskCompleted\",\"task\":7,\"result\":\"UnexpectedError\","
		"\"error\":\"0x800704F7\",\"errorName\":\"ERROR_MACHINE_LOCKED\"}],\"next\":13,\"missed\":2}");
	assert_int_equal(RUN("events"), IVM_EXIT_OK);
	expect_in(fake.requests[0], "GET /api/v1/events?since=0&wait=0 HTTP/1.1");
	expect_in(out_buf, "12          123.456s testos1          stateChanged Off (guest poweroff)\n");
	expect_in(out_buf, "13          123.500s testos1          taskCompleted task 7 UnexpectedError "
		  "ERROR_MACHINE_LOCKED\n");
	expect_in(err_buf, "ivmctl: 2 events were missed");
	/* --follow: long-polls from `next` until the connection fails. */
	fake.answers[1] = answer(200, "OK", "", "{\"events\":[],\"next\":13,\"missed\":0}");
	fake.answers[2] = answer(200, "OK", "", "{\"events\":[],\"next\":20,\"missed\":0}");
	assert_int_equal(RUN("events", "--follow", "--json"), IVM_EXIT_CONNECT);
	expect_in(fake.requests[1], "GET /api/v1/events?since=0&wait=25000 ");
	expect_in(fake.requests[2], "GET /api/v1/events?since=13&wait=25000 ");
	expect_in(fake.requests[3], "GET /api/v1/events?since=20&wait=25000 ");
	expect_in(out_buf, "{\"events\":[],\"next\":20,\"missed\":0}\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_args_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_args_exec, setup, teardown),
		cmocka_unit_test_setup_teardown(test_args_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_token_and_host, setup, teardown),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test_setup_teardown(test_http_responses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_http_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_output_untouched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_api_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connection_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retry_after, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shutdown_wait, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait_results, setup, teardown),
		cmocka_unit_test_setup_teardown(test_progress_bar, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_wait_and_json_wait, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec, setup, teardown),
		cmocka_unit_test_setup_teardown(test_task_wait_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_param, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guestos, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tasks_and_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events, setup, teardown),
	};

	return cmocka_run_group_tests_name("ivmctl", tests, NULL, NULL);
}
