/* SPDX-License-Identifier: MIT */
/* Runs a harness over files, once each, without libFuzzer: the regression
 * inputs and seeds are checked this way in every build (the sanitizer
 * build catches what libFuzzer's found).
 *
 *   fuzz-NAME [--accepted] PATH... [--expected PATH...]
 *
 * A directory stands for its files in name order.  Each input's outcome
 * (pv_fuzz_outcome: refused and why, or accepted) is printed.  Inputs named
 * after --accepted must be accepted (seeds that are real sessions of Mesa's
 * driver: a check that refuses them refuses real programs).  An input with
 * a NAME.expect beside it must have the outcome that file states, and
 * every input named after --expected must have one: a regression input is
 * a bad input that was once let through to crash something, and surviving
 * it is not enough; the renderer must still refuse it by the check that
 * was added for it, or it may be let through again the day that check is
 * loosened.  NAME.expect holds one line, after '#' comments saying why:
 * "accepted" (an input that is valid), or "refused: TEXT", TEXT being part
 * of the reason the renderer gives.  Exits non-zero when
 * an input could not be run or did not have the outcome it expects. */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pv_fuzz.h"

#define EXPECT_SUFFIX ".expect"

static bool
has_suffix(const char *s, const char *suffix)
{
   const size_t n = strlen(s), m = strlen(suffix);
   return n >= m && !strcmp(s + n - m, suffix);
}

/* The expectation in PATH.expect (its first line that is not empty or a
 * '#' comment), without its newline: 1 when found, 0 when there is no such
 * file, -1 when it holds none. */
static int
read_expectation(const char *path, char *line, size_t size)
{
   char name[4096];
   if (snprintf(name, sizeof(name), "%s%s", path, EXPECT_SUFFIX) >= (int)sizeof(name))
      return -1;
   FILE *f = fopen(name, "r");
   if (!f)
      return 0;
   bool found = false;
   while (!found && fgets(line, (int)size, f))
      found = line[0] != '#' && line[0] != '\n'; /* comments say why */
   fclose(f);
   if (!found)
      return -1;
   line[strcspn(line, "\r\n")] = '\0';
   return 1;
}

/* Whether `outcome` is what `expected` asks for (the header's format). */
static bool
meets(const char *outcome, const char *expected)
{
   static const char refused[] = "refused: ";
   if (!strcmp(expected, "accepted"))
      return !strcmp(outcome, "accepted");
   if (strncmp(expected, refused, sizeof(refused) - 1))
      return false; /* not a form this runner knows: never met */
   return !strncmp(outcome, refused, sizeof(refused) - 1) &&
          strstr(outcome + sizeof(refused) - 1, expected + sizeof(refused) - 1);
}

enum mode { PLAIN, ACCEPTED, EXPECTED };

static int
run_file(const char *path, enum mode mode)
{
   const bool must_expect = mode == EXPECTED;
   char expected[512];
   int has_expectation = read_expectation(path, expected, sizeof(expected));
   if (!has_expectation && mode == ACCEPTED) {
      snprintf(expected, sizeof(expected), "accepted");
      has_expectation = 1;
   }
   if (has_expectation < 0 || (must_expect && !has_expectation)) {
      printf("FAIL %s: %s\n", path,
             has_expectation < 0 ? "its .expect file states no outcome"
                                 : "a regression input without a .expect file saying what "
                                   "must become of it");
      return 1;
   }
   FILE *f = fopen(path, "rb");
   if (!f) {
      perror(path);
      return 1;
   }
   size_t cap = 1 << 16, size = 0;
   uint8_t *data = malloc(cap);
   size_t n;
   while (data && (n = fread(data + size, 1, cap - size, f)) > 0) {
      size += n;
      if (size == cap) {
         uint8_t *grown = realloc(data, cap *= 2);
         if (!grown) {
            free(data);
            data = NULL;
         }
         data = grown;
      }
   }
   fclose(f);
   if (!data) {
      fprintf(stderr, "%s: out of memory\n", path);
      return 1;
   }
   pv_fuzz_outcome_reset();
   LLVMFuzzerTestOneInput(data, size);
   free(data);
   const char *outcome = pv_fuzz_outcome();
   if (!outcome)
      outcome = "(the harness recorded no outcome)";
   if (has_expectation && !meets(outcome, expected)) {
      printf("FAIL %s: expected \"%s\", got \"%s\"\n", path, expected, outcome);
      return 1;
   }
   printf("ok   %s: %s%s\n", path, outcome, has_expectation ? " (as expected)" : "");
   return 0;
}

static int
compare_names(const void *a, const void *b)
{
   return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory stands for the files in it, in name order. */
static int
run_path(const char *path, enum mode mode)
{
   struct stat st;
   if (stat(path, &st) < 0) {
      perror(path);
      return 1;
   }
   if (!S_ISDIR(st.st_mode))
      return run_file(path, mode);
   DIR *dir = opendir(path);
   if (!dir) {
      perror(path);
      return 1;
   }
   char **names = NULL;
   size_t count = 0;
   for (struct dirent *e; (e = readdir(dir));) {
      if (e->d_name[0] == '.' || has_suffix(e->d_name, EXPECT_SUFFIX))
         continue;
      char **grown = realloc(names, (count + 1) * sizeof(*names));
      if (!grown)
         break;
      names = grown;
      const size_t len = strlen(path) + strlen(e->d_name) + 2;
      if (!(names[count] = malloc(len)))
         break;
      snprintf(names[count++], len, "%s/%s", path, e->d_name);
   }
   closedir(dir);
   qsort(names, count, sizeof(*names), compare_names);
   int failed = 0;
   for (size_t i = 0; i < count; i++) {
      failed |= run_file(names[i], mode);
      free(names[i]);
   }
   free(names);
   return failed;
}

int
main(int argc, char **argv)
{
   LLVMFuzzerInitialize(&argc, &argv);
   int failed = 0;
   enum mode mode = PLAIN;
   for (int i = 1; i < argc; i++) {
      if (!strcmp(argv[i], "--accepted"))
         mode = ACCEPTED;
      else if (!strcmp(argv[i], "--expected"))
         mode = EXPECTED;
      else
         failed |= run_path(argv[i], mode);
   }
   return failed;
}
