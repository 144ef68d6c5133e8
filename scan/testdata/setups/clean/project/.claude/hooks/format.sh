#!/bin/sh
# Format the file Claude Code just edited.
gofmt -w "$1"
