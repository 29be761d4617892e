module github.com/cespare/xxhash/v2
