/* SPDX-License-Identifier: MIT */
/* The floor under a synchronous call through shared memory: two threads
 * hand a request and a reply back and forth through cache lines, the way a
 * Venus guest and the renderer do through a ring (the guest writes a
 * command and the ring's tail; the renderer, spinning on the tail, reads
 * the command, writes the reply and the head; the guest, looking at the
 * head, reads the reply), with no decoding and no driver call at all.
 * What a round trip costs here is what the machine's cache coherence
 * charges for moving those lines between two cores: part of every
 * synchronous call's time that no renderer can remove (docs/performance.md).
 *
 *   pv-pingpong [--rounds N] [--cpus A,B]
 *
 * Three ways, each printed as the median and the best of 200 batches, in
 * ns per round trip:
 *   flags        only the tail and the head move (2 lines)
 *   ring         a 64-byte command and a 64-byte reply move too (4 lines)
 *   ring+yield   as ring, the requester calling sched_yield between looks at
 *                the head, as Mesa's Venus does while it waits for a reply
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LINE 64
#define BATCHES 200

enum mode { MODE_FLAGS, MODE_RING, MODE_RING_YIELD };

static volatile uint64_t sink;

/* each on a cache line of its own, as a ring's head, tail, buffer and a
 * reply stream are */
struct shared {
   _Alignas(LINE) atomic_uint_fast64_t tail;
   _Alignas(LINE) atomic_uint_fast64_t head;
   _Alignas(LINE) uint64_t command[LINE / 8];
   _Alignas(LINE) uint64_t reply[LINE / 8];
   _Alignas(LINE) atomic_bool stop;
   enum mode mode;
   int cpu;
};

static inline void
relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
   __builtin_ia32_pause();
#elif defined(__aarch64__)
   __asm__ volatile("yield");
#endif
}

static void
pin(int cpu)
{
   if (cpu < 0)
      return;
   cpu_set_t set;
   CPU_ZERO(&set);
   CPU_SET(cpu, &set);
   pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/* The renderer's side: answers every request until told to stop. */
static void *
responder(void *arg)
{
   struct shared *s = arg;
   pin(s->cpu);
   uint64_t seen = 0;
   while (!atomic_load_explicit(&s->stop, memory_order_relaxed)) {
      const uint64_t tail = atomic_load_explicit(&s->tail, memory_order_acquire);
      if (tail == seen) {
         relax();
         continue;
      }
      seen = tail;
      if (s->mode != MODE_FLAGS) {
         uint64_t sum = 0;
         for (int i = 0; i < LINE / 8; i++)
            sum += s->command[i];
         for (int i = 0; i < LINE / 8; i++)
            s->reply[i] = sum + (uint64_t)i;
      }
      atomic_store_explicit(&s->head, seen, memory_order_release);
   }
   return NULL;
}

static double
now_ns(void)
{
   struct timespec t;
   clock_gettime(CLOCK_MONOTONIC, &t);
   return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int
compare_double(const void *a, const void *b)
{
   const double x = *(const double *)a, y = *(const double *)b;
   return (x > y) - (x < y);
}

/* The guest's side: `rounds` synchronous requests per batch. */
static void
measure(const char *name, enum mode mode, long rounds, int requester_cpu, int responder_cpu)
{
   struct shared *s = aligned_alloc(LINE, sizeof(*s));
   if (!s) {
      perror("aligned_alloc");
      exit(1);
   }
   memset(s, 0, sizeof(*s));
   s->mode = mode;
   s->cpu = responder_cpu;
   pthread_t thread;
   if (pthread_create(&thread, NULL, responder, s)) {
      perror("pthread_create");
      exit(1);
   }
   pin(requester_cpu);
   double per_round[BATCHES];
   uint64_t seq = 0, check = 0;
   for (int b = 0; b < BATCHES + 1; b++) {
      const double start = now_ns();
      for (long r = 0; r < rounds; r++) {
         seq++;
         if (mode != MODE_FLAGS) {
            for (int i = 0; i < LINE / 8; i++)
               s->command[i] = seq + (uint64_t)i;
         }
         atomic_store_explicit(&s->tail, seq, memory_order_release);
         while (atomic_load_explicit(&s->head, memory_order_acquire) != seq) {
            if (mode == MODE_RING_YIELD)
               sched_yield();
            else
               relax();
         }
         if (mode != MODE_FLAGS)
            check += s->reply[0];
      }
      /* the first batch warms up */
      if (b > 0)
         per_round[b - 1] = (now_ns() - start) / (double)rounds;
   }
   atomic_store(&s->stop, true);
   pthread_join(thread, NULL);
   qsort(per_round, BATCHES, sizeof(double), compare_double);
   sink = check; /* the replies are read, not optimised away */
   printf("%-11s median %7.1f ns  best %7.1f ns  per round trip (%ld x %d)\n", name,
          per_round[BATCHES / 2], per_round[0], rounds, BATCHES);
   free(s);
}

int
main(int argc, char **argv)
{
   long rounds = 2000;
   int cpus[2] = { -1, -1 };
   for (int i = 1; i < argc; i++) {
      if (!strcmp(argv[i], "--rounds") && i + 1 < argc) {
         rounds = strtol(argv[++i], NULL, 10);
      } else if (!strcmp(argv[i], "--cpus") && i + 1 < argc) {
         if (sscanf(argv[++i], "%d,%d", &cpus[0], &cpus[1]) != 2) {
            fprintf(stderr, "--cpus A,B: the requester's and the responder's CPU\n");
            return 2;
         }
      } else {
         fprintf(stderr, "usage: pv-pingpong [--rounds N] [--cpus A,B]\n");
         return 2;
      }
   }
   if (rounds < 1)
      rounds = 1;
   measure("flags", MODE_FLAGS, rounds, cpus[0], cpus[1]);
   measure("ring", MODE_RING, rounds, cpus[0], cpus[1]);
   measure("ring+yield", MODE_RING_YIELD, rounds, cpus[0], cpus[1]);
   return 0;
}
