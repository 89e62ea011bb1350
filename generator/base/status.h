/* status.h - the program's exit statuses and version. Library code returns
 * these through its callers; only generator/cli/ decides what the process
 * exits with. */
#ifndef MEMREPORT_STATUS_H
#define MEMREPORT_STATUS_H

enum {
    EXIT_OK = 0,
    EXIT_BAD_INPUT = 1,
    EXIT_USAGE = 2,
    EXIT_IO = 3,
};

#define MEMREPORT_VERSION "0.1.0"

#endif
