#ifndef TRIAGE_DATADIR_H
#define TRIAGE_DATADIR_H

/* Where the Lua plugins/ and rules/ are (the order is in datadir.c). */
const char *triage_datadir(void);

#endif
