/* numfmt.c - STUB: to be written. */
#include "tc_private.h"

/* nothing yet; keeps the translation unit non-empty */
typedef int tc_numfmt_placeholder;
