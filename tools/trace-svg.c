#include <stdio.h>
#include "trace.h"
int svg_write(const char *path, struct run *const runs[], const struct model *const models[], int nruns)
{ (void)path; (void)runs; (void)models; (void)nruns; return 0; }
