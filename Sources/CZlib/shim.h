// zlib, for reading the gzip-compressed digits (Sources/Digits). Installed by scripts/setup.sh (zlib1g-dev).
#include <zlib.h>
