#!/bin/sh
# Prints something that is not an ExecCredential.
echo "Welcome! Your token is GARBAGE-SECRET-TOKEN"
