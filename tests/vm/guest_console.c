/* SPDX-License-Identifier: MIT */
/* Runs inside the test VM: puts a known line of text on the kernel's
 * framebuffer console (virtio-gpu's, drawn by fbcon into a 2D resource
 * that QEMU scans out through the library's texture) and prints, on its
 * stdout (the serial console), the glyphs of the font the kernel draws it
 * with, so that the host can render the line as it must look and find it
 * in the screen it captures (tests/vm/test_vm.py).
 *
 *   guest-console TTY TEXT
 *
 * Output: "console-font W H", then "console-glyph C ROW..." for every
 * distinct character of TEXT (C in hex, each ROW the glyph's row as hex
 * bytes, leftmost pixel in the high bit), then "console-text-shown". */
#include <fcntl.h>
#include <linux/kd.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* KD_FONT_OP_GET's layout: each glyph 32 rows of (width + 7) / 8 bytes */
#define GLYPH_ROWS_MAX 32
#define GLYPHS_MAX 512
#define WIDTH_MAX 32

int
main(int argc, char **argv)
{
   if (argc != 3) {
      fprintf(stderr, "usage: guest-console TTY TEXT\n");
      return 2;
   }
   const char *text = argv[2];
   const int tty = open(argv[1], O_RDWR | O_NOCTTY);
   if (tty < 0) {
      perror(argv[1]);
      return 1;
   }
   static unsigned char font[GLYPHS_MAX * GLYPH_ROWS_MAX * (WIDTH_MAX / 8)];
   struct console_font_op op = {
      .op = KD_FONT_OP_GET,
      .width = WIDTH_MAX,
      .height = GLYPH_ROWS_MAX,
      .charcount = GLYPHS_MAX,
      .data = font,
   };
   if (ioctl(tty, KDFONTOP, &op)) {
      perror("KDFONTOP (is fbcon on this tty?)");
      return 1;
   }
   const unsigned row_bytes = (op.width + 7) / 8;
   printf("console-font %u %u\n", op.width, op.height);
   bool printed[256] = { false };
   for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
      if (printed[*c] || *c >= op.charcount)
         continue;
      printed[*c] = true;
      printf("console-glyph %02x", *c);
      const unsigned char *glyph = font + (size_t)*c * GLYPH_ROWS_MAX * row_bytes;
      for (unsigned row = 0; row < op.height; row++) {
         printf(" ");
         for (unsigned b = 0; b < row_bytes; b++)
            printf("%02x", glyph[row * row_bytes + b]);
      }
      printf("\n");
   }
   /* clear the screen, cursor home and hidden (no blink to draw over it),
    * then the text alone at the top left */
   char line[512];
   const int n = snprintf(line, sizeof(line), "\033[2J\033[H\033[?25l%s", text);
   if (n < 0 || (size_t)n >= sizeof(line) || write(tty, line, (size_t)n) != n) {
      perror("writing the text");
      return 1;
   }
   printf("console-text-shown\n");
   fflush(stdout);
   return 0;
}
