/* SPDX-License-Identifier: MIT */
/* Unit-test runner: `unit-tests NAME` runs one test in a child process;
 * `unit-tests` runs them all.  Exit status 0 when everything passed. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pv_test.h"

int pv_test_failures;

static const struct {
   const char *name;
   void (*fn)(void);
} tests[] = {
#define PV_TEST_ENTRY(name) { #name, test_##name },
#include "tests.def"
#undef PV_TEST_ENTRY
};

static int
run_one(const char *name, void (*fn)(void))
{
   fflush(NULL);
   const pid_t pid = fork();
   if (pid == 0) {
      pv_test_failures = 0;
      fn();
      fflush(NULL);
      exit(pv_test_failures ? 1 : 0); /* exit(): sanitizers check for leaks */
   }
   int status;
   waitpid(pid, &status, 0);
   const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
   if (WIFSIGNALED(status))
      printf("%-40s CRASHED (signal %d)\n", name, WTERMSIG(status));
   else
      printf("%-40s %s\n", name, ok ? "ok" : "FAILED");
   return ok ? 0 : 1;
}

int
main(int argc, char **argv)
{
   int failed = 0, ran = 0;
   for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
      if (argc > 1 && strcmp(argv[1], tests[i].name))
         continue;
      failed += run_one(tests[i].name, tests[i].fn);
      ran++;
   }
   if (!ran) {
      fprintf(stderr, "no test named %s\n", argc > 1 ? argv[1] : "");
      return 2;
   }
   return failed ? 1 : 0;
}
