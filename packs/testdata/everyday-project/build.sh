#!/bin/bash
set -euo pipefail
rm -rf ./dist
mkdir -p dist
go build -o dist/app ./cmd/app
