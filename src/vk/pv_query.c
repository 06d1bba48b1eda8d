/* SPDX-License-Identifier: MIT */
/* Query pools keep their type and size, so that every command naming
 * queries names queries the pool has, and every copy of their results
 * stays inside the memory it writes.  Drivers index their query storage
 * unchecked: lavapipe reset 100,000 queries of a pool of 4, past the
 * pool's memory, in the client's process. */
#include "pv_vk.h"

#include <inttypes.h>

struct pv_query_pool {
   struct pv_object base;
   VkQueryType type;
   uint32_t count;
   VkQueryPipelineStatisticFlags statistics;
};

const size_t pv_keep_size_vkCreateQueryPool = sizeof(struct pv_query_pool);

void
pv_keep_vkCreateQueryPool(struct pv_object *obj, const struct pv_cmd_vkCreateQueryPool *args)
{
   struct pv_query_pool *pool = (struct pv_query_pool *)obj;
   pool->type = args->pCreateInfo->queryType;
   pool->count = args->pCreateInfo->queryCount;
   pool->statistics = args->pCreateInfo->pipelineStatistics;
}

/* Queries [first, first + count) are the pool's. */
static bool
queries_in(struct pv_dispatch *d, const struct pv_object *obj, uint32_t first, uint32_t count)
{
   const struct pv_query_pool *pool = (const struct pv_query_pool *)obj;
   if ((uint64_t)first + count <= pool->count)
      return true;
   pv_dispatch_fail(d, "queries %u+%u of a pool of %u", first, count, pool->count);
   return false;
}

/* The bytes one query's results take with `flags`; 0 for a query type
 * whose results the renderer does not size (none it offers). */
static uint32_t
result_bytes(const struct pv_query_pool *pool, VkQueryResultFlags flags)
{
   uint32_t values;
   switch (pool->type) {
   case VK_QUERY_TYPE_OCCLUSION:
   case VK_QUERY_TYPE_TIMESTAMP:
   case VK_QUERY_TYPE_PRIMITIVES_GENERATED_EXT:
   case VK_QUERY_TYPE_MESH_PRIMITIVES_GENERATED_EXT:
      values = 1;
      break;
   case VK_QUERY_TYPE_PIPELINE_STATISTICS:
      values = (uint32_t)__builtin_popcount(pool->statistics);
      break;
   case VK_QUERY_TYPE_TRANSFORM_FEEDBACK_STREAM_EXT:
      values = 2;
      break;
   default:
      return 0;
   }
   if (flags & (VK_QUERY_RESULT_WITH_AVAILABILITY_BIT | VK_QUERY_RESULT_WITH_STATUS_BIT_KHR))
      values++;
   return values * (flags & VK_QUERY_RESULT_64_BIT ? 8u : 4u);
}

static bool
results_sized(struct pv_dispatch *d, const struct pv_query_pool *pool, VkQueryResultFlags flags,
              uint32_t *bytes)
{
   *bytes = result_bytes(pool, flags);
   if (*bytes)
      return true;
   pv_dispatch_fail(d, "results of query type %d, which the renderer does not size",
                    (int)pool->type);
   return false;
}

bool
pv_check_vkCmdBeginQuery(struct pv_dispatch *d, const struct pv_cmd_vkCmdBeginQuery *args)
{
   return queries_in(d, args->queryPool, args->query, 1);
}

bool
pv_check_vkCmdEndQuery(struct pv_dispatch *d, const struct pv_cmd_vkCmdEndQuery *args)
{
   return queries_in(d, args->queryPool, args->query, 1);
}

/* The vertex stream of an indexed query: one the device has for the
 * queries that count per stream, 0 for the rest (drivers keep per-stream
 * state in arrays of maxTransformFeedbackStreams). */
static bool
stream_in(struct pv_dispatch *d, const struct pv_object *command_buffer,
          const struct pv_object *pool_obj, uint32_t index)
{
   const struct pv_query_pool *pool = (const struct pv_query_pool *)pool_obj;
   const struct pv_device *dev = pv_command_buffer_device(command_buffer);
   const bool per_stream = pool->type == VK_QUERY_TYPE_TRANSFORM_FEEDBACK_STREAM_EXT ||
                           pool->type == VK_QUERY_TYPE_PRIMITIVES_GENERATED_EXT;
   const uint32_t streams = !per_stream ? 1 : dev ? dev->physical_device->max_xfb_streams : 0;
   if (index < streams)
      return true;
   pv_dispatch_fail(d, "vertex stream %u of a query of type %d (the device has %u)", index,
                    (int)pool->type, streams);
   return false;
}

bool
pv_check_vkCmdBeginQueryIndexedEXT(struct pv_dispatch *d,
                                   const struct pv_cmd_vkCmdBeginQueryIndexedEXT *args)
{
   return queries_in(d, args->queryPool, args->query, 1) &&
          stream_in(d, args->commandBuffer, args->queryPool, args->index);
}

bool
pv_check_vkCmdEndQueryIndexedEXT(struct pv_dispatch *d,
                                 const struct pv_cmd_vkCmdEndQueryIndexedEXT *args)
{
   return queries_in(d, args->queryPool, args->query, 1) &&
          stream_in(d, args->commandBuffer, args->queryPool, args->index);
}

bool
pv_check_vkCmdResetQueryPool(struct pv_dispatch *d, const struct pv_cmd_vkCmdResetQueryPool *args)
{
   return queries_in(d, args->queryPool, args->firstQuery, args->queryCount);
}

bool
pv_check_vkResetQueryPool(struct pv_dispatch *d, const struct pv_cmd_vkResetQueryPool *args)
{
   return queries_in(d, args->queryPool, args->firstQuery, args->queryCount);
}

bool
pv_check_vkCmdWriteTimestamp(struct pv_dispatch *d, const struct pv_cmd_vkCmdWriteTimestamp *args)
{
   return queries_in(d, args->queryPool, args->query, 1);
}

bool
pv_check_vkCmdWriteTimestamp2(struct pv_dispatch *d,
                              const struct pv_cmd_vkCmdWriteTimestamp2 *args)
{
   return queries_in(d, args->queryPool, args->query, 1);
}

bool
pv_check_vkCmdCopyQueryPoolResults(struct pv_dispatch *d,
                                   const struct pv_cmd_vkCmdCopyQueryPoolResults *args)
{
   const struct pv_query_pool *pool = (const struct pv_query_pool *)args->queryPool;
   uint32_t bytes;
   return queries_in(d, args->queryPool, args->firstQuery, args->queryCount) &&
          results_sized(d, pool, args->flags, &bytes) &&
          pv_buffer_records(d, args->dstBuffer, args->dstOffset, args->queryCount,
                            (uint32_t)(args->stride > UINT32_MAX ? UINT32_MAX : args->stride),
                            bytes, "query results");
}

/* The results go into the reply's pData, dataSize bytes: each query's at
 * its stride, which the driver writes without looking at dataSize. */
bool
pv_check_vkGetQueryPoolResults(struct pv_dispatch *d,
                               const struct pv_cmd_vkGetQueryPoolResults *args)
{
   const struct pv_query_pool *pool = (const struct pv_query_pool *)args->queryPool;
   uint32_t bytes;
   if (!queries_in(d, args->queryPool, args->firstQuery, args->queryCount) ||
       !results_sized(d, pool, args->flags, &bytes))
      return false;
   if (!args->queryCount)
      return true;
   uint64_t span;
   if (__builtin_mul_overflow((uint64_t)(args->queryCount - 1), (uint64_t)args->stride, &span) ||
       __builtin_add_overflow(span, (uint64_t)bytes, &span) || span > args->dataSize) {
      pv_dispatch_fail(d, "%u results of %u bytes, %" PRIu64 " apart, in %zu bytes",
                       args->queryCount, bytes, (uint64_t)args->stride, (size_t)args->dataSize);
      return false;
   }
   return true;
}
