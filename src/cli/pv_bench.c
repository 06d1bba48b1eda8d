/* SPDX-License-Identifier: MIT */
/* pearvisor-gpu bench: the cost of virtualization, measured side by side.
 *
 * The workload (pv-bench-workload, a plain Vulkan program) runs natively on
 * the host driver and through PearVisor (Mesa's Venus, a private server, the
 * same host driver), alternately, for a number of rounds.  Each run reports
 * every metric as a median of its own repetitions; the table shows the
 * median over the rounds of each side, the cost (PearVisor/native for
 * times, native/PearVisor for rates: 1.00x is free) and the project's target
 * for it.  Lines starting with "bench " repeat it for machines. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/pv_cli.h"

#define MAX_METRICS 32
#define MAX_ROUNDS 64

struct metric {
   char name[48];
   char unit[16];
   bool higher_is_better;
   double values[2][MAX_ROUNDS]; /* [native, pearvisor][round] */
   int count[2];
};

struct results {
   struct metric metrics[MAX_METRICS];
   int metric_count;
   char device[2][256];
   bool gpu;
   int checks_failed;
   int runs_failed;
};

/* What the project aims for (docs/performance.md).  `max_cost` bounds
 * PearVisor/native for times and native/PearVisor for rates; `max_us` is an
 * absolute bound on PearVisor's median, on a CPU driver or a GPU. */
struct target {
   const char *name;
   const char *label;
   double max_cost;
   double max_us_cpu, max_us_gpu;
};

static const struct target targets[] = {
   { "create_first_ms", "first instance + device of a process", 1.2, 0, 0 },
   { "create_ms", "instance + device creation, again", 1.2, 0, 0 },
   { "program_ms", "a new program: start, instance + device, exit", 1.3, 0, 0 },
   { "roundtrip_us", "synchronous round trip", 0, 4, 2 },
   { "alloc_free_us", "allocate + free, 64 KiB, sustained", 2.0, 0, 0 },
   { "alloc_map_ms", "allocate + map, large host-visible", 3.0, 0, 0 },
   { "submit_wait_us", "empty submit + fence wait", 1.5, 0, 0 },
   { "record_ns_per_dispatch", "recording: push constants + dispatch", 0, 0, 0 },
   { "saxpy_ms", "SAXPY (GPU-bound)", 1 / 0.98, 0, 0 },
   { "saxpy_gpu_ms", "  of it the GPU's (timestamps)", 1 / 0.98, 0, 0 },
   { "saxpy_rest_us", "  the rest: submission and wait", 0, 0, 0 },
   { "matmul_ms", "matrix product (GPU-bound)", 1 / 0.98, 0, 0 },
   { "matmul_gpu_ms", "  of it the GPU's (timestamps)", 1 / 0.98, 0, 0 },
   { "matmul_rest_us", "  the rest: submission and wait", 0, 0, 0 },
   { "upload_ms", "upload: write a mapping + GPU copy", 1 / 0.98, 0, 0 },
   { "readback_ms", "readback: GPU copy + read a mapping", 1 / 0.98, 0, 0 },
   { "write_gbps", "mapped memory write", 1 / 0.98, 0, 0 },
   { "read_gbps", "mapped memory read", 1 / 0.98, 0, 0 },
};

static const struct target *
find_target(const char *name)
{
   for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
      if (!strcmp(targets[i].name, name))
         return &targets[i];
   }
   return NULL;
}

static struct metric *
get_metric(struct results *r, const char *name, const char *unit, bool higher)
{
   for (int i = 0; i < r->metric_count; i++) {
      if (!strcmp(r->metrics[i].name, name))
         return &r->metrics[i];
   }
   if (r->metric_count == MAX_METRICS)
      return NULL;
   struct metric *m = &r->metrics[r->metric_count++];
   memset(m, 0, sizeof(*m));
   snprintf(m->name, sizeof(m->name), "%s", name);
   snprintf(m->unit, sizeof(m->unit), "%s", unit);
   m->higher_is_better = higher;
   return m;
}

static void
parse_line(struct results *r, int side, char *line)
{
   char name[48], unit[16], better[16];
   double value;
   if (sscanf(line, "metric %47s %lf %15s %15s", name, &value, unit, better) == 4) {
      struct metric *m = get_metric(r, name, unit, !strcmp(better, "higher"));
      if (m && m->count[side] < MAX_ROUNDS)
         m->values[side][m->count[side]++] = value;
   } else if (!strncmp(line, "check ", 6)) {
      if (strstr(line, " FAIL")) {
         r->checks_failed++;
         fprintf(stderr, "bench: %s: %s", side ? "through PearVisor" : "native", line);
      }
   } else if (!strncmp(line, "device: ", 8)) {
      snprintf(r->device[side], sizeof(r->device[side]), "%.200s", line + 8);
      r->device[side][strcspn(r->device[side], "\n")] = '\0';
   } else if (!strncmp(line, "sizes ", 6)) {
      r->gpu = strstr(line, "gpu=1") != NULL;
   }
}

/* Runs the workload with `env` applied in the child; parses what it says. */
static void
run_workload(struct results *r, int side, const char *workload, bool quick,
             const char *host_icd, const char *venus_icd, const char *socket_path)
{
   int pipefd[2];
   if (pipe(pipefd) < 0) {
      perror("bench: pipe");
      r->runs_failed++;
      return;
   }
   const pid_t pid = fork();
   if (pid < 0) {
      perror("bench: fork");
      close(pipefd[0]);
      close(pipefd[1]);
      r->runs_failed++;
      return;
   }
   if (pid == 0) {
      close(pipefd[0]);
      dup2(pipefd[1], STDOUT_FILENO);
      close(pipefd[1]);
      if (side == 0) {
         unsetenv("VN_DEBUG");
         setenv("VK_DRIVER_FILES", host_icd, 1);
         setenv("VK_ICD_FILENAMES", host_icd, 1);
      } else {
         pv_cli_guest_env(venus_icd, socket_path);
      }
      execl(workload, workload, quick ? "--quick" : NULL, (char *)NULL);
      fprintf(stderr, "bench: cannot execute %s: %s\n", workload, strerror(errno));
      _exit(127);
   }
   close(pipefd[1]);
   FILE *out = fdopen(pipefd[0], "r");
   char line[512];
   while (out && fgets(line, sizeof(line), out))
      parse_line(r, side, line);
   if (out)
      fclose(out);
   int status;
   while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
      ;
   if (!WIFEXITED(status) || WEXITSTATUS(status)) {
      fprintf(stderr, "bench: the workload %s failed (status 0x%x)\n",
              side ? "through PearVisor" : "natively", status);
      r->runs_failed++;
   }
}

/* One line per run on stderr, with what it measured: a bench cut short (a
 * time limit, a lost machine) still leaves every finished run's numbers. */
static void
print_run(const struct results *r, int side, int round)
{
   fprintf(stderr, "bench: round %d %s:", round + 1, side ? "PearVisor" : "native");
   for (int i = 0; i < r->metric_count; i++) {
      const struct metric *m = &r->metrics[i];
      if (m->count[side] == round + 1)
         fprintf(stderr, " %s=%.4g", m->name, m->values[side][round]);
   }
   fputc('\n', stderr);
}

static int
compare_double(const void *a, const void *b)
{
   const double x = *(const double *)a, y = *(const double *)b;
   return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
   if (!n)
      return 0;
   qsort(v, (size_t)n, sizeof(*v), compare_double);
   return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void
print_results(struct results *r, int rounds)
{
   printf("\nPearVisor GPU bench, medians of %d rounds, native and through PearVisor alternately\n",
          rounds);
   printf("native:            %s\nthrough PearVisor: %s\n\n", r->device[0], r->device[1]);
   printf("%-38s %-5s %12s %12s %8s %10s %s\n", "metric", "unit", "native", "PearVisor", "cost",
          "target", "met");
   for (int i = 0; i < r->metric_count; i++) {
      struct metric *m = &r->metrics[i];
      const double native = median(m->values[0], m->count[0]);
      const double pv = median(m->values[1], m->count[1]);
      const double cost = m->higher_is_better ? (pv > 0 ? native / pv : 0)
                                              : (native > 0 ? pv / native : 0);
      const struct target *t = find_target(m->name);
      char target[32] = "-";
      const char *met = "-";
      if (t && t->max_cost > 0) {
         snprintf(target, sizeof(target), "<=%.2fx", t->max_cost);
         met = cost <= t->max_cost ? "yes" : "no";
      } else if (t && (r->gpu ? t->max_us_gpu : t->max_us_cpu) > 0) {
         const double max_us = r->gpu ? t->max_us_gpu : t->max_us_cpu;
         snprintf(target, sizeof(target), "<=%gus", max_us);
         met = pv <= max_us ? "yes" : "no";
      }
      printf("%-38s %-5s %12.4g %12.4g %7.2fx %10s %s\n", t ? t->label : m->name, m->unit,
             native, pv, cost, target, met);
   }
   printf("\n");
   for (int i = 0; i < r->metric_count; i++) {
      struct metric *m = &r->metrics[i];
      const double native = median(m->values[0], m->count[0]);
      const double pv = median(m->values[1], m->count[1]);
      printf("bench metric=%s unit=%s native=%.6g pearvisor=%.6g rounds=%d\n", m->name, m->unit,
             native, pv, m->count[1] < m->count[0] ? m->count[1] : m->count[0]);
   }
   printf("bench checks_failed=%d runs_failed=%d\n", r->checks_failed, r->runs_failed);
}

/* pv-bench-workload: $PV_BENCH_WORKLOAD, or beside this executable (the
 * install), or in the build tree's bench/. */
static bool
find_workload(char *buf, size_t size)
{
   const char *env = getenv("PV_BENCH_WORKLOAD");
   if (env && env[0]) {
      snprintf(buf, size, "%s", env);
      return access(buf, X_OK) == 0;
   }
   char self[PATH_MAX];
   const ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
   if (n <= 0)
      return false;
   self[n] = '\0';
   char *slash = strrchr(self, '/');
   if (!slash)
      return false;
   *slash = '\0';
   static const char *const places[] = { "%s/pv-bench-workload", "%s/bench/pv-bench-workload" };
   for (size_t i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
      snprintf(buf, size, places[i], self);
      if (access(buf, X_OK) == 0)
         return true;
   }
   return false;
}

int
pv_cli_bench(const struct options *opts)
{
   char workload[PATH_MAX + 64];
   if (!find_workload(workload, sizeof(workload))) {
      fprintf(stderr, "bench: pv-bench-workload not found (set PV_BENCH_WORKLOAD)\n");
      return 2;
   }
   char icd_buf[512];
   const char *venus_icd = pv_cli_find_venus_icd(opts, icd_buf, sizeof(icd_buf));
   if (!venus_icd) {
      fprintf(stderr, "bench: Mesa's Venus driver manifest (virtio_icd.json) not found\n");
      return 2;
   }
   /* both sides on the same host driver: lavapipe unless --icd says */
   struct options server_opts = *opts;
   if (!server_opts.icd) {
      static const char lavapipe[] = "/usr/share/vulkan/icd.d/lvp_icd.json";
      if (access(lavapipe, R_OK)) {
         fprintf(stderr, "bench: no --icd given and lavapipe is not installed\n");
         return 2;
      }
      server_opts.icd = lavapipe;
   }
   /* the option table keeps --rounds within MAX_ROUNDS */
   const int rounds = opts->bench_rounds ? (int)opts->bench_rounds : (opts->bench_quick ? 2 : 5);
   struct pv_private_server server;
   if (pv_cli_private_server_start(&server_opts, &server))
      return 1;
   struct results *r = calloc(1, sizeof(*r));
   if (!r) {
      pv_cli_private_server_stop(&server);
      return 1;
   }
   for (int round = 0; round < rounds; round++) {
      fprintf(stderr, "bench: round %d of %d\n", round + 1, rounds);
      for (int side = 0; side < 2; side++) {
         run_workload(r, side, workload, opts->bench_quick, server_opts.icd, venus_icd,
                      server.socket_path);
         print_run(r, side, round);
      }
   }
   pv_cli_private_server_stop(&server);
   print_results(r, rounds);
   const int ret = r->checks_failed || r->runs_failed || !r->metric_count ? 1 : 0;
   free(r);
   return ret;
}
