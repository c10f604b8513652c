/*===- aot_driver.c - Runs an AOT-compiled model on raw input files -------===*\
|*                                                                          *|
|* Part of Lathe's tests.                                                   *|
|*                                                                          *|
|* A C99 program that uses only the header `lathe compile --emit=header`    *|
|* writes: build it with the model's header force-included and its object   *|
|* or shared library, naming the model:                                     *|
|*                                                                          *|
|*   cc -std=c99 -DLATHE_MODEL=cnn -include cnn.h aot_driver.c cnn.o -lm    *|
|*                                                                          *|
|* Usage: aot_driver <inputs.bin> <outputs.bin>                             *|
|* reads every input, in order, as raw bytes from one file (each            *|
|* lathe_<model>_input_num_bytes[i] long), runs the model once and writes   *|
|* every output, in order, to the other file.                               *|
\*===----------------------------------------------------------------------===*/

#include <stdio.h>
#include <stdlib.h>

#ifndef LATHE_MODEL
#error "define LATHE_MODEL to the model's C name, e.g. -DLATHE_MODEL=cnn"
#endif

#define LATHE_CAT3(a, b, c) a##b##c
#define LATHE_XCAT3(a, b, c) LATHE_CAT3(a, b, c)
/* SYM(_run) is lathe_<model>_run, and so on. */
#define SYM(suffix) LATHE_XCAT3(lathe_, LATHE_MODEL, suffix)
#define LATHE_STR_(x) #x
#define LATHE_STR(x) LATHE_STR_(x)

#define NUM_INPUTS (sizeof(SYM(_input_num_bytes)) / sizeof(int64_t))
#define NUM_OUTPUTS (sizeof(SYM(_output_num_bytes)) / sizeof(int64_t))

static int fail(const char *what, const char *path) {
  fprintf(stderr, "aot_driver: %s %s\n", what, path);
  return 1;
}

int main(int argc, char **argv) {
  const void *inputs[NUM_INPUTS];
  void *outputs[NUM_OUTPUTS];
  size_t i;
  FILE *in, *out;

  if (argc != 3) {
    fprintf(stderr, "usage: %s <inputs.bin> <outputs.bin>\n", argv[0]);
    return 2;
  }
  in = fopen(argv[1], "rb");
  if (!in)
    return fail("cannot open", argv[1]);
  for (i = 0; i < NUM_INPUTS; ++i) {
    size_t bytes = (size_t)SYM(_input_num_bytes)[i];
    void *buffer = malloc(bytes ? bytes : 1);
    if (!buffer || fread(buffer, 1, bytes, in) != bytes)
      return fail("too few bytes in", argv[1]);
    inputs[i] = buffer;
  }
  if (fgetc(in) != EOF)
    return fail("too many bytes in", argv[1]);
  fclose(in);
  for (i = 0; i < NUM_OUTPUTS; ++i)
    outputs[i] = malloc((size_t)SYM(_output_num_bytes)[i] + 1);

  SYM(_run_packed)(inputs, outputs);

  out = fopen(argv[2], "wb");
  if (!out)
    return fail("cannot create", argv[2]);
  for (i = 0; i < NUM_OUTPUTS; ++i) {
    size_t bytes = (size_t)SYM(_output_num_bytes)[i];
    if (fwrite(outputs[i], 1, bytes, out) != bytes)
      return fail("cannot write", argv[2]);
  }
  if (fclose(out) != 0)
    return fail("cannot write", argv[2]);
  for (i = 0; i < NUM_INPUTS; ++i)
    free((void *)inputs[i]);
  for (i = 0; i < NUM_OUTPUTS; ++i)
    free(outputs[i]);
  printf("aot_driver: ran %s with %d inputs, %d outputs\n",
         "lathe_" LATHE_STR(LATHE_MODEL) "_run", (int)NUM_INPUTS,
         (int)NUM_OUTPUTS);
  return 0;
}
