/* SPDX-License-Identifier: MIT */
/* Runs a harness over files, once each, without libFuzzer: the regression
 * inputs and seeds are checked this way in every build (the sanitizer
 * build catches what libFuzzer's found). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pv_fuzz.h"

static int
run_file(const char *path)
{
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
   LLVMFuzzerTestOneInput(data, size);
   free(data);
   printf("ok   %s\n", path);
   return 0;
}

static int
compare_names(const void *a, const void *b)
{
   return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory stands for the files in it, in name order. */
static int
run_path(const char *path)
{
   struct stat st;
   if (stat(path, &st) < 0) {
      perror(path);
      return 1;
   }
   if (!S_ISDIR(st.st_mode))
      return run_file(path);
   DIR *dir = opendir(path);
   if (!dir) {
      perror(path);
      return 1;
   }
   char **names = NULL;
   size_t count = 0;
   for (struct dirent *e; (e = readdir(dir));) {
      if (e->d_name[0] == '.')
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
      failed |= run_file(names[i]);
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
   for (int i = 1; i < argc; i++)
      failed |= run_path(argv[i]);
   return failed;
}
