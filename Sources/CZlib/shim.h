// zlib, for reading the gzip-compressed digits (Sources/Datasets). Installed by scripts/setup.sh (zlib1g-dev).
#include <zlib.h>
