// Diagnosis only: lock every page the process faults in (mlockall MCL_CURRENT|MCL_FUTURE|MCL_ONFAULT) at start.
#define _GNU_SOURCE
#include <sys/mman.h>
#include <stdio.h>
#include <errno.h>
#include <string.h>
#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif
__attribute__((constructor)) static void lockall(void) {
  if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) != 0)
    fprintf(stderr, "lockall: mlockall failed: %s\n", strerror(errno));
  else
    fprintf(stderr, "lockall: mlockall(MCL_CURRENT|MCL_FUTURE|MCL_ONFAULT) ok\n");
}
