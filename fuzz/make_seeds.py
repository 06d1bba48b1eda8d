#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Seed corpora for the fuzz harnesses, from captured guest sessions.

  fuzz/make_seeds.py CAPTURE... --out fuzz/corpus

Captures (pearvisor-gpu run --capture DIR -- PROGRAM) of real programs on
Mesa's Venus driver become:
  session/  the captures themselves (fuzz-session-null, fuzz-session-host)
  vtest/    each capture as the vtest byte stream its client sent: the
            handshake, its blobs and unrefs, its streams as SUBMIT_CMD2
            (ring chunks travel in shared memory, not on the socket)
  ring/     a valid ring description around each of a capture's first ring
            chunks (fuzz-ring's input layout)
  reply/    small hand-made streams that set and seek reply streams and run
            indirect streams (fuzz-reply)
"""

import argparse
import hashlib
import os
import struct
import sys

MAGIC = b'PVCAP\0\0\1'
BLOB, UNREF, STREAM, RING, BLOB_WRITE, FENCE = 1, 2, 3, 4, 5, 6

VCMD_RESOURCE_UNREF = 3
VCMD_CREATE_RENDERER = 8
VCMD_PROTOCOL_VERSION = 11
VCMD_GET_CAPSET = 16
VCMD_CONTEXT_INIT = 17
VCMD_RESOURCE_CREATE_BLOB = 18
VCMD_SUBMIT_CMD2 = 24
CAPSET_VENUS = 4


def records(data):
    pos = len(MAGIC) if data.startswith(MAGIC) else 0
    while pos + 8 <= len(data):
        tag, size = struct.unpack_from('<II', data, pos)
        payload = data[pos + 8:pos + 8 + size]
        if len(payload) < size:
            return
        yield tag, payload
        pos += 8 + ((size + 3) & ~3)


def vcmd(cmd, payload=b''):
    return struct.pack('<II', len(payload) // 4, cmd) + payload


def submit(stream, ring_idx=0, syncs=()):
    header = 1 + 6
    body = struct.pack('<I', 1)
    body += struct.pack('<6I', 1, header, len(stream) // 4, header + len(stream) // 4,
                        len(syncs), ring_idx)
    body += stream
    for sync_id, value in syncs:
        body += struct.pack('<IQ', sync_id, value)
    return vcmd(VCMD_SUBMIT_CMD2, body)


def vtest_session(data, name):
    name_bytes = name.encode()[:60] + b'\0'
    out = struct.pack('<II', len(name_bytes), VCMD_CREATE_RENDERER) + name_bytes
    out += vcmd(VCMD_PROTOCOL_VERSION, struct.pack('<I', 3))
    out += vcmd(VCMD_GET_CAPSET, struct.pack('<II', CAPSET_VENUS, 0))
    out += vcmd(VCMD_CONTEXT_INIT, struct.pack('<I', CAPSET_VENUS))
    for tag, p in records(data):
        if tag == BLOB and len(p) >= 32:
            _, blob_type, flags, _, blob_id, size = struct.unpack_from('<4I2Q', p)
            out += vcmd(VCMD_RESOURCE_CREATE_BLOB,
                        struct.pack('<6I', blob_type, flags, size & 0xffffffff, size >> 32,
                                    blob_id & 0xffffffff, blob_id >> 32))
        elif tag == UNREF and len(p) >= 4:
            out += vcmd(VCMD_RESOURCE_UNREF, p[:4])
        elif tag == STREAM and len(p) % 4 == 0:
            out += submit(p)
    return out


RING_HEAD, RING_TAIL, RING_STATUS, RING_BUFFER, RING_BUFFER_SIZE = 0, 64, 128, 192, 131072
RING_EXTRA = RING_BUFFER + RING_BUFFER_SIZE
RING_BLOB = RING_EXTRA + 4


def ring_inputs(data, limit=4):
    out = []
    for tag, p in records(data):
        if tag == RING and len(p) > 8 and len(p) - 8 <= RING_BUFFER_SIZE:
            chunk = p[8:]
            params = struct.pack('<12I', RING_BLOB - 4096, 0, RING_BLOB, RING_HEAD, RING_TAIL,
                                 RING_STATUS, RING_BUFFER, RING_BUFFER_SIZE, RING_EXTRA, 4,
                                 len(chunk), 1)
            out.append(params + chunk)
            if len(out) == limit:
                break
    return out


def u32(v):
    return struct.pack('<I', v & 0xffffffff)


def u64(v):
    return struct.pack('<Q', v & 0xffffffffffffffff)


def header(cmd, reply=False):
    return u32(cmd) + u32(1 if reply else 0)


def set_reply(res, offset, size):
    return header(178) + u64(1) + u32(res) + u64(offset) + u64(size)


def seek_reply(position):
    return header(179) + u64(position)


def execute(res, offset, size):
    return (header(180) + u32(1) + u64(1) + u32(res) + u64(offset) + u64(size) +
            u64(0) + u32(0) + u64(0) + u32(0))


def instance_version():
    return header(137, reply=True) + u64(1)


def reply_inputs():
    version = instance_version()
    return [
        set_reply(2, 0, 64) + version,
        set_reply(2, 0, 4096) + version + seek_reply(100) + version,
        set_reply(2, 4000, 96) + version,
        set_reply(1, 0, 1024) + version,
        # the input is also the content of resource 1: run its first command
        set_reply(2, 0, 64) + execute(1, 0, len(set_reply(2, 0, 64))) + version,
        version + execute(1, 0, 4),
    ]


def write_seed(directory, data):
    os.makedirs(directory, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(directory, name), 'wb') as f:
        f.write(data)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('captures', nargs='+')
    ap.add_argument('--out', required=True)
    args = ap.parse_args()
    for path in args.captures:
        with open(path, 'rb') as f:
            data = f.read()
        if not data.startswith(MAGIC):
            sys.exit('%s: not a capture' % path)
        write_seed(os.path.join(args.out, 'session'), data)
        write_seed(os.path.join(args.out, 'vtest'),
                   vtest_session(data, os.path.basename(path).split('-')[0]))
        for seed in ring_inputs(data):
            write_seed(os.path.join(args.out, 'ring'), seed)
    for seed in reply_inputs():
        write_seed(os.path.join(args.out, 'reply'), seed)


if __name__ == '__main__':
    main()
