/* version.h: the release version, shown by --version and in User-Agent. */
#ifndef TLSRPT_VERSION_H
#define TLSRPT_VERSION_H

#define TP_VERSION "0.1.0"

#endif
