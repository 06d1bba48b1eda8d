// SPDX-License-Identifier: MIT
// A WebGPU compute program on Dawn (npm "webgpu"): uploads through a buffer
// mapped at creation, runs a shader 20 times, reads back through a MAP_READ buffer,
// the way Dawn chooses memory for them.  Prints the adapter and a hash of
// the result, so that runs natively and through PearVisor can be compared.
import { create, globals } from 'webgpu';

Object.assign(globalThis, globals);
const gpu = create([]);
const adapter = await gpu.requestAdapter();
if (!adapter) {
  console.log('no adapter');
  process.exit(2);
}
const info = adapter.info || {};
console.log(`adapter: ${info.vendor} ${info.architecture} ${info.device} ${info.description}`);
const device = await adapter.requestDevice();
// 2^14 values by default: with more, dawn.node 0.6.2 crashes in its event
// processing on native lavapipe; a GPU run passes a larger power of two
const n = 1 << Number(process.argv[2] || 14);
const input = device.createBuffer({
  size: n * 4, usage: GPUBufferUsage.STORAGE, mappedAtCreation: true,
});
const values = new Uint32Array(n); // the mapping is gone after unmap
for (let i = 0; i < n; i++) values[i] = Math.imul(i, 2654435761) >>> 0;
new Uint32Array(input.getMappedRange()).set(values);
input.unmap();
const output = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
const readback = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
const module = device.createShaderModule({ code: `
  @group(0) @binding(0) var<storage, read> a : array<u32>;
  @group(0) @binding(1) var<storage, read_write> b : array<u32>;
  @compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id : vec3u) {
    let i = id.x;
    if (i < arrayLength(&a)) { b[i] = (a[i] ^ (a[i] >> 7u)) * 3u + i; }
  }` });
const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
const group = device.createBindGroup({
  layout: pipeline.getBindGroupLayout(0),
  entries: [{ binding: 0, resource: { buffer: input } }, { binding: 1, resource: { buffer: output } }],
});
const t0 = performance.now();
for (let round = 0; round < 20; round++) {
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, group);
  pass.dispatchWorkgroups(n / 64);
  pass.end();
  enc.copyBufferToBuffer(output, 0, readback, 0, n * 4);
  device.queue.submit([enc.finish()]);
}
// one wait at the end: waiting in every round (mapAsync, or
// onSubmittedWorkDone) crashed dawn.node 0.6.2 in its event processing on
// native lavapipe (CallbackTaskManager::Flush)
await readback.mapAsync(GPUMapMode.READ);
const ms = performance.now() - t0;
const out = new Uint32Array(readback.getMappedRange());
let ok = true;
let hash = 2166136261;
for (let i = 0; i < n; i++) {
  const a = values[i];
  const want = (Math.imul((a ^ (a >>> 7)) >>> 0, 3) + i) >>> 0;
  if (out[i] !== want) ok = false;
  hash = Math.imul(hash ^ out[i], 16777619) >>> 0;
}
console.log(`dawn-compute: ${n} values, 20 rounds in ${ms.toFixed(1)} ms, output hash ${hash.toString(16)}`);
console.log(`dawn-compute: ${ok ? 'OK' : 'FAILED'}`);
readback.unmap();
device.destroy();
process.exit(ok ? 0 : 1);
