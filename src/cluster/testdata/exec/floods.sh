#!/bin/sh
# Prints more than the 1 MiB an ExecCredential may take.
head -c 3000000 /dev/zero | tr '\0' 'x'
