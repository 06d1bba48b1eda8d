/* SPDX-License-Identifier: MIT */
#ifndef PV_PRINT_H
#define PV_PRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The readable listing of Venus command streams (`pearvisor-gpu decode`).
 *
 * gen/emit_print.py describes, from vk.xml, how every command and struct the
 * protocol carries lies on the wire (pv_print_gen.c); pv_print.c walks a
 * stream with those tables through the checked reader of cs/pv_decoder.h and
 * prints one line per command, its arguments named as Vulkan names them.
 *
 * The listing shows what was sent, so it is lenient where the renderer is
 * strict about meaning (an enum value the registry does not define, a count
 * that disagrees with its array, a NULL where Vulkan wants a pointer are
 * shown as they are) and strict only where the layout itself is broken (a
 * truncated item, a bad pointer marker, an unknown command or sType): there
 * the listing stops, since nothing after that byte can be placed.
 */

/* -- the generated tables ---------------------------------------------------- */

enum pv_pr_kind {
   PV_PR_VALUE,   /* held by value */
   PV_PR_FIXED,   /* fixed-size array: u64 size, then the elements */
   PV_PR_DYN,     /* array behind a pointer: u64 size (0: NULL), the elements */
   PV_PR_PTR,     /* pointer to one: u64 marker 0/1, then the element */
   PV_PR_STRING,  /* u64 size with the NUL, then the bytes padded to 4 */
   PV_PR_STRINGS, /* u64 count, then each string */
   PV_PR_BLOB,    /* void data: u64 size, then the bytes padded (inputs only) */
   PV_PR_NULL,    /* a pointer the protocol cannot carry: u64 0 */
};

enum pv_pr_elem {
   PV_PR_UINT,
   PV_PR_SINT,
   PV_PR_FLOAT,
   PV_PR_BOOL,   /* VkBool32 */
   PV_PR_ENUM,   /* i32 named by type.values */
   PV_PR_FLAGS,  /* bits named by type.values (NULL: reserved flags) */
   PV_PR_HANDLE, /* u64 object id */
   PV_PR_STRUCT,
   PV_PR_UNION,  /* u32 member index, then that member */
   PV_PR_CHAR,
   PV_PR_VOID,
};

/* How much of an item the guest sends where it is an output (a command's
 * output parameter, or a member of a struct the host fills in). */
enum pv_pr_validity {
   PV_PR_FULL,    /* all of it (inputs, and the counts of outputs) */
   PV_PR_PARTIAL, /* handles (the ids of objects it creates) and structs'
                     skeletons (sType, pNext, their own handles and counts) */
   PV_PR_NONE,    /* nothing but an array's size */
};

struct pv_pr_value {
   uint64_t value; /* an enum's 32-bit pattern, or one flag bit */
   const char *name;
};

struct pv_pr_values {
   const char *name;
   uint32_t count;
   const struct pv_pr_value *values; /* sorted by value */
};

struct pv_pr_record;

struct pv_pr_item {
   const char *name;
   uint8_t kind;     /* enum pv_pr_kind */
   uint8_t elem;     /* enum pv_pr_elem */
   uint8_t size;     /* host bytes of a scalar (its size packed in arrays) */
   uint8_t out;      /* enum pv_pr_validity: what an output carries */
   union {
      const struct pv_pr_record *record; /* PV_PR_STRUCT, PV_PR_UNION */
      const struct pv_pr_values *values; /* PV_PR_ENUM, PV_PR_FLAGS */
      const char *handle;                /* PV_PR_HANDLE: the type's name */
   } type;
};

#define PV_PR_IS_UNION 0x1u
#define PV_PR_HAS_STYPE 0x2u /* starts with an i32 sType */
#define PV_PR_HAS_PNEXT 0x4u /* then a pNext chain */

struct pv_pr_record {
   const char *name;
   int32_t stype;
   uint32_t flags;
   uint32_t count;
   const struct pv_pr_item *items; /* members but sType and pNext */
   uint32_t chain_count;
   const struct pv_pr_record *const *chain; /* pNext extenders, sorted by sType */
};

struct pv_pr_command {
   const char *name;
   bool decodable; /* false: an id of the protocol this registry cannot lay out */
   uint32_t count;
   const struct pv_pr_item *params;
};

extern const uint32_t pv_pr_command_count;
extern const struct pv_pr_command pv_pr_commands[]; /* by command id */
extern const struct pv_pr_values *const pv_pr_stypes; /* VkStructureType */

/* -- the printer ---------------------------------------------------------------- */

/* Arrays longer than this show their first elements and a count of the rest;
 * strings and byte arrays are cut at a comparable length. */
#define PV_PRINT_SHORT_ARRAY 8
#define PV_PRINT_SHORT_STRING 120
#define PV_PRINT_SHORT_BYTES 32

struct pv_printer {
   FILE *out;
   bool full;              /* every element and every byte: nothing shortened */
   const bool *wanted;     /* by command id: list it (NULL: all) */
   uint64_t listed;        /* commands listed so far */
   uint64_t walked;        /* commands read so far, listed or not */
};

/* Where a stream stopped being readable. */
struct pv_print_error {
   uint64_t offset;  /* of the bad byte in the stream */
   char message[256];
};

/* Lists the commands of one stream, each on a line
 *   @OFFSET SOURCE vkCommand(arg = value, ...)
 * where OFFSET is `base` plus the command's offset in the stream.  Returns
 * true when the whole stream was well-formed; otherwise the line of the bad
 * command ends where it could be read and *error says where and why. */
bool pv_print_stream(struct pv_printer *p, const void *data, size_t size, uint64_t base,
                     const char *source, struct pv_print_error *error);

/* The id of a command by its Vulkan name; -1 if the protocol has none. */
int64_t pv_print_command_id(const char *name);

#endif /* PV_PRINT_H */
