/* SPDX-License-Identifier: MIT */
/* The workload of `pearvisor-gpu bench`: a plain Vulkan program, run once
 * natively and once through PearVisor per round.  It measures each metric
 * itself (the median of many repetitions) and prints
 *
 *   metric <name> <value> <unit> <lower|higher>   (which is better)
 *   check <name> ok|FAIL                          (a result it verified)
 *
 * Sizes follow the device: small on a CPU driver, large on a GPU; --quick
 * shrinks everything (CI only checks that the bench runs and is right). */
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pv_sample.h"

#include "matmul.spv.h"
#include "saxpy.spv.h"

struct sizes {
   int reps;                /* repetitions of the slow metrics */
   int calls;               /* repetitions of the fast ones */
   VkDeviceSize small_alloc;
   VkDeviceSize big_alloc;
   uint32_t record_cmds;
   uint32_t saxpy_n;
   uint32_t matmul_n;
   VkDeviceSize bandwidth_bytes;
};

static bool failed;

static double
now(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
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
   qsort(v, (size_t)n, sizeof(*v), compare_double);
   return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void
metric(const char *name, double value, const char *unit, const char *better)
{
   printf("metric %s %.6g %s %s\n", name, value, unit, better);
   fflush(stdout);
}

static void
check(const char *name, bool ok)
{
   printf("check %s %s\n", name, ok ? "ok" : "FAIL");
   failed |= !ok;
}

/* -- compute ------------------------------------------------------------------- */

static void
barrier(VkCommandBuffer cmd)
{
   const VkMemoryBarrier mb = {
      .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
      .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
      .dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT |
                       VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_HOST_READ_BIT,
   };
   vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                        VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT |
                           VK_PIPELINE_STAGE_HOST_BIT,
                        0, 1, &mb, 0, NULL, 0, NULL);
}

static uint32_t
float_bits(float f)
{
   uint32_t u;
   memcpy(&u, &f, sizeof(u));
   return u;
}

/* -- the metrics ---------------------------------------------------------------- */

static void
bench_create(const struct sizes *z)
{
   double t[16];
   for (int i = 0; i < z->reps; i++) {
      const double t0 = now();
      struct sample s;
      sample_init(&s, "pv-bench-create");
      sample_fini(&s);
      t[i] = (now() - t0) * 1e3;
   }
   metric("create_ms", median(t, z->reps), "ms", "lower");
}

/* A new program, start to exit, that makes an instance and a device: what a
 * test suite of many small programs (piglit on zink) pays per test.  The
 * programs run one after another, each a new guest process through
 * PearVisor, so each gets a spare or a process forked for it, never the
 * last one's (--linger serves only the same guest process). */
static void
bench_programs(const struct sizes *z)
{
   double t[16];
   int ok = 0;
   for (int i = 0; i < z->reps; i++) {
      const double t0 = now();
      const pid_t pid = fork();
      if (pid == 0) {
         const int null = open("/dev/null", O_WRONLY);
         if (null >= 0)
            dup2(null, STDOUT_FILENO);
         execl("/proc/self/exe", "pv-bench-program", "--program", (char *)NULL);
         _exit(127);
      }
      int status = 0;
      if (pid < 0 || waitpid(pid, &status, 0) != pid)
         status = -1;
      t[i] = (now() - t0) * 1e3;
      ok += WIFEXITED(status) && WEXITSTATUS(status) == 0;
   }
   check("programs_ran", ok == z->reps);
   metric("program_ms", median(t, z->reps), "ms", "lower");
}

/* vkGetBufferDeviceAddress: Mesa's Venus sends it and waits for the answer
 * every time (nothing about it is cached in the guest). */
static void
bench_round_trip(struct sample *s, const struct sizes *z)
{
   if (!s->features12.bufferDeviceAddress) {
      printf("skip roundtrip_us: no bufferDeviceAddress\n");
      return;
   }
   const VkBufferCreateInfo bci = {
      .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
      .size = 4096,
      .usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT,
   };
   VkBuffer buffer;
   CHECK_VK(vkCreateBuffer(s->device, &bci, NULL, &buffer));
   VkMemoryRequirements req;
   vkGetBufferMemoryRequirements(s->device, buffer, &req);
   const VkMemoryAllocateFlagsInfo flags = {
      .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_FLAGS_INFO,
      .flags = VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT,
   };
   const VkMemoryAllocateInfo mai = {
      .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
      .pNext = &flags,
      .allocationSize = req.size,
      .memoryTypeIndex = sample_memory_type(s, req.memoryTypeBits, 0),
   };
   VkDeviceMemory memory;
   CHECK_VK(vkAllocateMemory(s->device, &mai, NULL, &memory));
   CHECK_VK(vkBindBufferMemory(s->device, buffer, memory, 0));
   const VkBufferDeviceAddressInfo info = {
      .sType = VK_STRUCTURE_TYPE_BUFFER_DEVICE_ADDRESS_INFO,
      .buffer = buffer,
   };
   double *t = malloc(sizeof(*t) * (size_t)z->calls);
   const VkDeviceAddress first = vkGetBufferDeviceAddress(s->device, &info);
   bool stable = first != 0;
   for (int i = 0; i < z->calls; i++) {
      const double t0 = now();
      const VkDeviceAddress address = vkGetBufferDeviceAddress(s->device, &info);
      t[i] = (now() - t0) * 1e6;
      stable &= address == first;
   }
   metric("roundtrip_us", median(t, z->calls), "us", "lower");
   check("roundtrip_address", stable);
   free(t);
   vkDestroyBuffer(s->device, buffer, NULL);
   vkFreeMemory(s->device, memory, NULL);
}

static void
bench_alloc_free(struct sample *s, const struct sizes *z)
{
   const uint32_t type = sample_memory_type(s, ~0u, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
   const VkMemoryAllocateInfo mai = {
      .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
      .allocationSize = z->small_alloc,
      .memoryTypeIndex = type == UINT32_MAX ? 0 : type,
   };
   /* Sustained, and ended by a synchronous call: Venus enqueues
    * allocations without waiting, so timing one pair measures the enqueue,
    * not the allocation.  vkGetDeviceMemoryCommitment is a round trip that
    * the renderer answers after everything queued before it. */
   VkDeviceMemory anchor;
   CHECK_VK(vkAllocateMemory(s->device, &mai, NULL, &anchor));
   VkDeviceSize committed;
   vkGetDeviceMemoryCommitment(s->device, anchor, &committed);
   double *t = malloc(sizeof(*t) * (size_t)z->reps);
   for (int r = 0; r < z->reps; r++) {
      const double t0 = now();
      for (int i = 0; i < z->calls; i++) {
         VkDeviceMemory memory;
         CHECK_VK(vkAllocateMemory(s->device, &mai, NULL, &memory));
         vkFreeMemory(s->device, memory, NULL);
      }
      vkGetDeviceMemoryCommitment(s->device, anchor, &committed);
      t[r] = (now() - t0) * 1e6 / z->calls;
   }
   metric("alloc_free_us", median(t, z->reps), "us", "lower");
   free(t);
   vkFreeMemory(s->device, anchor, NULL);
}

static void
bench_alloc_map(struct sample *s, const struct sizes *z)
{
   const uint32_t type = sample_memory_type(
      s, ~0u, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
   const VkMemoryAllocateInfo mai = {
      .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
      .allocationSize = z->big_alloc,
      .memoryTypeIndex = type,
   };
   double t[16];
   bool ok = true;
   for (int i = 0; i < z->reps; i++) {
      const double t0 = now();
      VkDeviceMemory memory;
      CHECK_VK(vkAllocateMemory(s->device, &mai, NULL, &memory));
      void *map;
      CHECK_VK(vkMapMemory(s->device, memory, 0, VK_WHOLE_SIZE, 0, &map));
      t[i] = (now() - t0) * 1e3;
      /* usable at both ends */
      ((volatile uint8_t *)map)[0] = 1;
      ((volatile uint8_t *)map)[z->big_alloc - 1] = 2;
      ok &= ((volatile uint8_t *)map)[0] == 1;
      vkUnmapMemory(s->device, memory);
      vkFreeMemory(s->device, memory, NULL);
   }
   metric("alloc_map_ms", median(t, z->reps), "ms", "lower");
   check("alloc_map_usable", ok);
}

static void
bench_record(struct sample *s, const struct sizes *z, const struct sample_compute *saxpy)
{
   double t[16];
   for (int i = 0; i < z->reps; i++) {
      const double t0 = now();
      VkCommandBuffer cmd = sample_begin(s);
      sample_compute_bind(cmd, saxpy);
      for (uint32_t c = 0; c < z->record_cmds; c++) {
         const struct {
            float a;
            uint32_t n;
         } params = { (float)(c & 7), 64 };
         vkCmdPushConstants(cmd, saxpy->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(params),
                            &params);
         vkCmdDispatch(cmd, 1, 1, 1);
      }
      CHECK_VK(vkEndCommandBuffer(cmd));
      t[i] = (now() - t0) * 1e9 / z->record_cmds;
      vkFreeCommandBuffers(s->device, s->pool, 1, &cmd);
   }
   metric("record_ns_per_dispatch", median(t, z->reps), "ns", "lower");
}

static void
bench_submit_wait(struct sample *s, const struct sizes *z)
{
   VkFence fence = sample_fence(s);
   double *t = malloc(sizeof(*t) * (size_t)z->calls);
   for (int i = 0; i < z->calls; i++) {
      const double t0 = now();
      CHECK_VK(vkQueueSubmit(s->queue, 0, NULL, fence));
      CHECK_VK(vkWaitForFences(s->device, 1, &fence, VK_TRUE, UINT64_MAX));
      t[i] = (now() - t0) * 1e6;
      CHECK_VK(vkResetFences(s->device, 1, &fence));
   }
   metric("submit_wait_us", median(t, z->calls), "us", "lower");
   free(t);
   vkDestroyFence(s->device, fence, NULL);
}

/* GPU timestamps around a workload's commands, so that its time splits
 * into what the GPU ran and the rest (submission, the driver's and the
 * guest driver's waiting): the same GPU time natively and through PearVisor
 * says the difference lies outside the GPU. */
struct gpu_clock {
   VkQueryPool pool; /* VK_NULL_HANDLE where the queue has no timestamps */
   uint64_t mask;    /* of the queue's timestampValidBits */
   double ns_per_tick;
};

static void
gpu_clock_init(struct sample *s, struct gpu_clock *c)
{
   uint32_t count = 0;
   vkGetPhysicalDeviceQueueFamilyProperties(s->physical_device, &count, NULL);
   VkQueueFamilyProperties *families = calloc(count, sizeof(*families));
   vkGetPhysicalDeviceQueueFamilyProperties(s->physical_device, &count, families);
   const uint32_t bits = s->queue_family < count ? families[s->queue_family].timestampValidBits : 0;
   free(families);
   memset(c, 0, sizeof(*c));
   if (!bits)
      return;
   c->mask = bits >= 64 ? ~0ull : (1ull << bits) - 1;
   c->ns_per_tick = s->properties.limits.timestampPeriod;
   c->pool = sample_query_pool(s, VK_QUERY_TYPE_TIMESTAMP, 2, 0);
}

static void
gpu_clock_fini(struct sample *s, struct gpu_clock *c)
{
   if (c->pool)
      vkDestroyQueryPool(s->device, c->pool, NULL);
}

/* Recorded first and last around the work in a command buffer. */
static void
gpu_clock_start(VkCommandBuffer cmd, const struct gpu_clock *c)
{
   if (!c->pool)
      return;
   vkCmdResetQueryPool(cmd, c->pool, 0, 2);
   vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, c->pool, 0);
}

static void
gpu_clock_stop(VkCommandBuffer cmd, const struct gpu_clock *c)
{
   if (c->pool)
      vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, c->pool, 1);
}

static double
gpu_clock_ms(struct sample *s, const struct gpu_clock *c)
{
   uint64_t ts[2];
   sample_query_results(s, c->pool, 2, ts);
   return (double)((ts[1] - ts[0]) & c->mask) * c->ns_per_tick * 1e-6;
}

/* Submits `cmd` (ended) once untimed, then `reps` times, each timed from
 * submission to the fence: what the GPU work costs the application.  The
 * recording and the fence are made beforehand, so that no asynchronous
 * work of the set-up (which a guest driver may still be sending) lands in
 * the timing.  Then, where the queue has timestamps, the GPU's own time of
 * each run and the rest of it (read after the clock stopped). */
static void
timed_runs(struct sample *s, VkCommandBuffer cmd, const struct gpu_clock *clock, int reps,
           const char *name)
{
   double t_ms[16], gpu_ms[16], rest_us[16];
   VkFence fence = sample_fence(s);
   for (int i = -1; i < reps; i++) {
      const double t0 = now();
      sample_run(s, cmd, fence);
      if (i < 0)
         continue;
      t_ms[i] = (now() - t0) * 1e3;
      if (clock->pool) {
         gpu_ms[i] = gpu_clock_ms(s, clock);
         rest_us[i] = (t_ms[i] - gpu_ms[i]) * 1e3;
      }
   }
   vkDestroyFence(s->device, fence, NULL);
   char metric_name[64];
   snprintf(metric_name, sizeof(metric_name), "%s_ms", name);
   metric(metric_name, median(t_ms, reps), "ms", "lower");
   if (!clock->pool) {
      printf("skip %s_gpu_ms: the queue has no timestamps\n", name);
      return;
   }
   snprintf(metric_name, sizeof(metric_name), "%s_gpu_ms", name);
   metric(metric_name, median(gpu_ms, reps), "ms", "lower");
   snprintf(metric_name, sizeof(metric_name), "%s_rest_us", name);
   metric(metric_name, median(rest_us, reps), "us", "lower");
}

static void
bench_saxpy(struct sample *s, const struct sizes *z)
{
   const VkDeviceSize bytes = (VkDeviceSize)z->saxpy_n * sizeof(float);
   const VkBufferUsageFlags usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT |
                                    VK_BUFFER_USAGE_TRANSFER_DST_BIT |
                                    VK_BUFFER_USAGE_TRANSFER_SRC_BIT;
   struct sample_buffer x, y, readback;
   sample_buffer_device(s, &x, bytes, usage);
   sample_buffer_device(s, &y, bytes, usage);
   sample_buffer_host(s, &readback, bytes, VK_BUFFER_USAGE_TRANSFER_DST_BIT);
   const struct sample_buffer *buffers[2] = { &x, &y };
   struct sample_compute k;
   sample_compute_init(s, &k, saxpy_spv, sizeof(saxpy_spv), buffers, 2, 8);

   VkCommandBuffer cmd = sample_begin(s);
   vkCmdFillBuffer(cmd, x.buffer, 0, VK_WHOLE_SIZE, float_bits(1.0f));
   vkCmdFillBuffer(cmd, y.buffer, 0, VK_WHOLE_SIZE, float_bits(2.0f));
   sample_submit_wait(s, cmd);

   struct gpu_clock clock;
   gpu_clock_init(s, &clock);
   cmd = sample_begin_reusable(s);
   gpu_clock_start(cmd, &clock);
   sample_compute_bind(cmd, &k);
   const struct {
      float a;
      uint32_t n;
   } params = { 3.0f, z->saxpy_n };
   vkCmdPushConstants(cmd, k.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(params), &params);
   vkCmdDispatch(cmd, (z->saxpy_n + 63) / 64, 1, 1);
   gpu_clock_stop(cmd, &clock);
   CHECK_VK(vkEndCommandBuffer(cmd));
   timed_runs(s, cmd, &clock, z->reps, "saxpy");
   vkFreeCommandBuffers(s->device, s->pool, 1, &cmd);
   gpu_clock_fini(s, &clock);

   cmd = sample_begin(s);
   const VkBufferCopy copy = { 0, 0, bytes };
   vkCmdCopyBuffer(cmd, y.buffer, readback.buffer, 1, &copy);
   barrier(cmd);
   sample_submit_wait(s, cmd);
   const float want = 2.0f + 3.0f * (float)(z->reps + 1); /* and the untimed run */
   const float *ys = readback.map;
   bool ok = true;
   for (uint32_t i = 0; i < z->saxpy_n; i += 4093)
      ok &= ys[i] == want;
   ok &= ys[z->saxpy_n - 1] == want;
   check("saxpy_result", ok);
   sample_compute_fini(s, &k);
   sample_buffer_fini(s, &readback);
   sample_buffer_fini(s, &y);
   sample_buffer_fini(s, &x);
}

static void
bench_matmul(struct sample *s, const struct sizes *z)
{
   const uint32_t n = z->matmul_n;
   const VkDeviceSize bytes = (VkDeviceSize)n * n * sizeof(float);
   const VkBufferUsageFlags usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT |
                                    VK_BUFFER_USAGE_TRANSFER_DST_BIT |
                                    VK_BUFFER_USAGE_TRANSFER_SRC_BIT;
   struct sample_buffer a, b, c, readback;
   sample_buffer_device(s, &a, bytes, usage);
   sample_buffer_device(s, &b, bytes, usage);
   sample_buffer_device(s, &c, bytes, usage);
   sample_buffer_host(s, &readback, bytes, VK_BUFFER_USAGE_TRANSFER_DST_BIT);
   const struct sample_buffer *buffers[3] = { &a, &b, &c };
   struct sample_compute k;
   sample_compute_init(s, &k, matmul_spv, sizeof(matmul_spv), buffers, 3, 4);

   VkCommandBuffer cmd = sample_begin(s);
   vkCmdFillBuffer(cmd, a.buffer, 0, VK_WHOLE_SIZE, float_bits(1.0f));
   vkCmdFillBuffer(cmd, b.buffer, 0, VK_WHOLE_SIZE, float_bits(2.0f));
   sample_submit_wait(s, cmd);

   struct gpu_clock clock;
   gpu_clock_init(s, &clock);
   cmd = sample_begin_reusable(s);
   gpu_clock_start(cmd, &clock);
   sample_compute_bind(cmd, &k);
   vkCmdPushConstants(cmd, k.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(n), &n);
   vkCmdDispatch(cmd, (n + 15) / 16, (n + 15) / 16, 1);
   gpu_clock_stop(cmd, &clock);
   CHECK_VK(vkEndCommandBuffer(cmd));
   timed_runs(s, cmd, &clock, z->reps, "matmul");
   vkFreeCommandBuffers(s->device, s->pool, 1, &cmd);
   gpu_clock_fini(s, &clock);

   cmd = sample_begin(s);
   const VkBufferCopy copy = { 0, 0, bytes };
   vkCmdCopyBuffer(cmd, c.buffer, readback.buffer, 1, &copy);
   barrier(cmd);
   sample_submit_wait(s, cmd);
   const float *cs = readback.map;
   bool ok = true;
   for (uint64_t i = 0; i < (uint64_t)n * n; i += 997)
      ok &= cs[i] == 2.0f * (float)n;
   check("matmul_result", ok);
   sample_compute_fini(s, &k);
   sample_buffer_fini(s, &readback);
   sample_buffer_fini(s, &c);
   sample_buffer_fini(s, &b);
   sample_buffer_fini(s, &a);
}

/* What a program's uploads and readbacks cost, through memory it picks as
 * most programs do (host-visible, preferring device-local: NVIDIA's BAR
 * natively; what the guest is shown otherwise): a CPU write into the
 * mapping and a GPU copy into device memory, and back. */
static void
bench_upload(struct sample *s, const struct sizes *z)
{
   const VkDeviceSize size = z->bandwidth_bytes;
   struct sample_buffer staging, dev;
   sample_buffer_staging(s, &staging, size,
                         VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT);
   sample_buffer_device(s, &dev, size,
                        VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT);
   uint8_t *host = malloc((size_t)size);
   for (size_t i = 0; i < (size_t)size; i++)
      host[i] = (uint8_t)(i * 131 + 7);
   const VkBufferCopy region = { 0, 0, size };
   VkCommandBuffer up = sample_begin_reusable(s);
   vkCmdCopyBuffer(up, staging.buffer, dev.buffer, 1, &region);
   CHECK_VK(vkEndCommandBuffer(up));
   VkCommandBuffer down = sample_begin_reusable(s);
   vkCmdCopyBuffer(down, dev.buffer, staging.buffer, 1, &region);
   sample_barrier_to_host(down, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
   CHECK_VK(vkEndCommandBuffer(down));
   VkFence fence = sample_fence(s);
   memcpy(staging.map, host, (size_t)size); /* first touch, outside the timing */
   sample_run(s, up, fence);
   double u[16], r[16];
   bool ok = true;
   for (int i = 0; i < z->reps && i < 16; i++) {
      double t0 = now();
      memcpy(staging.map, host, (size_t)size);
      sample_run(s, up, fence);
      u[i] = (now() - t0) * 1e3;
      memset(staging.map, 0, (size_t)size);
      t0 = now();
      sample_run(s, down, fence);
      memcpy(host, staging.map, (size_t)size);
      r[i] = (now() - t0) * 1e3;
      ok &= host[size - 1] == (uint8_t)((size - 1) * 131 + 7);
   }
   vkDestroyFence(s->device, fence, NULL);
   const int n = z->reps < 16 ? z->reps : 16;
   metric("upload_ms", median(u, n), "ms", "lower");
   metric("readback_ms", median(r, n), "ms", "lower");
   check("upload_readback", ok);
   free(host);
   sample_buffer_fini(s, &dev);
   sample_buffer_fini(s, &staging);
}

/* What a guest gets from mapped memory: its own copies in and out. */
static void
bench_bandwidth(struct sample *s, const struct sizes *z)
{
   struct sample_buffer buf;
   sample_buffer_host(s, &buf, z->bandwidth_bytes, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
   const size_t size = (size_t)z->bandwidth_bytes;
   uint8_t *host = malloc(size);
   for (size_t i = 0; i < size; i++)
      host[i] = (uint8_t)(i * 131 + 7);
   memcpy(buf.map, host, size); /* first touch, outside the timing */
   double w[16], r[16];
   for (int i = 0; i < z->reps; i++) {
      double t0 = now();
      memcpy(buf.map, host, size);
      w[i] = (double)size / (now() - t0) / 1e9;
      memset(host, 0, size);
      t0 = now();
      memcpy(host, buf.map, size);
      r[i] = (double)size / (now() - t0) / 1e9;
   }
   metric("write_gbps", median(w, z->reps), "GB/s", "higher");
   metric("read_gbps", median(r, z->reps), "GB/s", "higher");
   bool ok = true;
   for (size_t i = 0; i < size; i += 4099)
      ok &= host[i] == (uint8_t)(i * 131 + 7);
   check("bandwidth_data", ok);
   free(host);
   sample_buffer_fini(s, &buf);
}

static const char *only; /* --only NAME[,NAME...]: just those (for profiling) */

static bool
wanted(const char *name)
{
   if (!only)
      return true;
   const size_t len = strlen(name);
   for (const char *p = only; (p = strstr(p, name)); p += len) {
      if ((p == only || p[-1] == ',') && (p[len] == ',' || !p[len]))
         return true;
   }
   return false;
}

int
main(int argc, char **argv)
{
   bool quick = false;
   if (argc == 2 && !strcmp(argv[1], "--program")) {
      /* one of bench_programs' programs */
      struct sample s;
      sample_init(&s, "pv-bench-program");
      sample_fini(&s);
      return 0;
   }
   for (int i = 1; i < argc; i++) {
      if (!strcmp(argv[i], "--quick"))
         quick = true;
      else if (!strcmp(argv[i], "--only") && i + 1 < argc)
         only = argv[++i];
   }
   /* the first instance and device of a process: what starting an
    * application costs (natively that includes loading the driver) */
   const double t0 = now();
   struct sample s;
   sample_init(&s, "pv-bench");
   const double first_ms = (now() - t0) * 1e3;
   const bool gpu = s.properties.deviceType != VK_PHYSICAL_DEVICE_TYPE_CPU;
   struct sizes z = {
      .reps = 7,
      .calls = 2001,
      .small_alloc = 64 << 10,
      .big_alloc = gpu ? 256u << 20 : 64u << 20,
      .record_cmds = gpu ? 100000 : 20000,
      .saxpy_n = gpu ? 64u << 20 : 4u << 20,
      .matmul_n = gpu ? 2048 : 256,
      .bandwidth_bytes = gpu ? 256u << 20 : 64u << 20,
   };
   if (quick) {
      z = (struct sizes){ 3, 101, 64 << 10, 8 << 20, 1000, 1 << 16, 64, 8 << 20 };
   }
   printf("sizes gpu=%d reps=%d calls=%d big_alloc=%llu saxpy_n=%u matmul_n=%u bandwidth=%llu\n",
          gpu, z.reps, z.calls, (unsigned long long)z.big_alloc, z.saxpy_n, z.matmul_n,
          (unsigned long long)z.bandwidth_bytes);

   if (wanted("create"))
      metric("create_first_ms", first_ms, "ms", "lower");
   if (wanted("roundtrip"))
      bench_round_trip(&s, &z);
   if (wanted("alloc_free"))
      bench_alloc_free(&s, &z);
   if (wanted("alloc_map"))
      bench_alloc_map(&s, &z);
   if (wanted("upload"))
      bench_upload(&s, &z);
   if (wanted("submit_wait"))
      bench_submit_wait(&s, &z);
   if (wanted("record")) {
      struct sample_buffer x, y;
      sample_buffer_host(&s, &x, 4096, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
      sample_buffer_host(&s, &y, 4096, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
      const struct sample_buffer *buffers[2] = { &x, &y };
      struct sample_compute k;
      sample_compute_init(&s, &k, saxpy_spv, sizeof(saxpy_spv), buffers, 2, 8);
      bench_record(&s, &z, &k);
      sample_compute_fini(&s, &k);
      sample_buffer_fini(&s, &y);
      sample_buffer_fini(&s, &x);
   }
   if (wanted("saxpy"))
      bench_saxpy(&s, &z);
   if (wanted("matmul"))
      bench_matmul(&s, &z);
   if (wanted("bandwidth"))
      bench_bandwidth(&s, &z);
   /* last: creating and destroying instances leaves the driver's threads
    * and caches in another state, natively and through PearVisor alike,
    * which slowed the metrics after it */
   if (wanted("create"))
      bench_create(&z);
   if (wanted("programs"))
      bench_programs(&z);
   sample_fini(&s);
   return failed ? 1 : 0;
}
