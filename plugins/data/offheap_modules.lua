-- Go modules known to hold memory outside the Go heap, kept as data. The
-- offheap_modules plugin matches them against the binary's build info so
-- runtime-off-heap (anonymous memory Go does not account for) and
-- tooling-mapped-files (file-backed RSS) can name the likely module and
-- version. Teams add entries in a rule directory's data/offheap_modules.lua
-- (docs/rules.md); an entry with a built-in id replaces it.
--
-- Fields: id; module (list of module paths); kind ("mmap-anon": the module
-- mmaps its own anonymous arenas; "cgo": a C library's malloc; "mmap-file":
-- the module maps files); cgo (true when the module only works with
-- CGO_ENABLED=1); what (how it holds memory); advice; refs.
return {
  {
    id = "fastcache-mmap-chunks",
    module = { "github.com/VictoriaMetrics/fastcache" },
    kind = "mmap-anon",
    what = "allocates its 64 KiB cache chunks with mmap in 64 MiB batches (malloc_mmap.go: \"Allocate offheap memory, so GOGC won't take into account cache size\") and keeps freed chunks for reuse, never unmapping them",
    advice = "size the cache (fastcache.New(maxBytes)) for the container: its bytes count in RSS and the cgroup but not in GOMEMLIMIT, pprof or MemStats; fastcache's UpdateStats reports BytesSize",
    refs = { "https://github.com/VictoriaMetrics/fastcache/blob/master/malloc_mmap.go" },
  },
  {
    id = "bbolt-mmap-db",
    module = { "go.etcd.io/bbolt", "github.com/boltdb/bolt", "github.com/coreos/bbolt" },
    kind = "mmap-file",
    what = "maps the whole database file; the pages the workload touches are resident, file-backed and shared (not a leak)",
    advice = "compact the database (bbolt compact) and keep it small; the file size bounds this RSS; alert on anonymous memory",
    refs = { "https://github.com/etcd-io/bbolt/issues/234", "https://github.com/boltdb/bolt/issues/253", "shared/reference/known-issues.md #29" },
  },
  {
    id = "badger-mmap-tables",
    module = { "github.com/dgraph-io/badger", "github.com/dgraph-io/badger/v2", "github.com/dgraph-io/badger/v3", "github.com/dgraph-io/badger/v4" },
    kind = "mmap-file",
    what = "maps its SST tables and value log files (options TableLoadingMode / ValueLogLoadingMode), so table pages are file-backed RSS",
    advice = "load tables with FileIO instead of MemoryMap where the options allow, tune memtables and caches",
    refs = { "https://github.com/dgraph-io/badger/issues/1304", "shared/reference/known-issues.md #28" },
  },
  {
    id = "ristretto-manual-memory",
    module = { "github.com/dgraph-io/ristretto" },
    kind = "mmap-anon",
    what = "its z package allocates buffers manually (z.Calloc, jemalloc with the jemalloc build tag, or mmap'd buffers), outside the Go heap",
    advice = "check z.NumAllocBytes(); free buffers and close caches when done",
    refs = { "https://github.com/dgraph-io/ristretto/tree/main/z" },
  },
  {
    id = "pebble-manual-cache",
    module = { "github.com/cockroachdb/pebble" },
    kind = "cgo",
    what = "allocates its block cache and memtables with C malloc (internal/manual) when cgo is enabled",
    advice = "size Options.Cache and MemTableSize for the container; they are outside GOMEMLIMIT",
    refs = { "https://github.com/cockroachdb/pebble/tree/master/internal/manual" },
  },
  {
    id = "sqlite-cgo",
    module = { "github.com/mattn/go-sqlite3" },
    kind = "cgo", cgo = true,
    what = "links SQLite through cgo; its page cache (cache_size per connection), statements and temp storage are C heap",
    advice = "bound PRAGMA cache_size and the connection pool (SetMaxOpenConns); close Rows and Stmts; consider modernc.org/sqlite (pure Go, visible in pprof)",
    refs = { "https://www.sqlite.org/malloc.html", "https://github.com/mattn/go-sqlite3" },
  },
  {
    id = "rocksdb-cgo",
    module = { "github.com/tecbot/gorocksdb", "github.com/linxGnu/grocksdb" },
    kind = "cgo", cgo = true,
    what = "links RocksDB through cgo: block cache, memtables, index and filter blocks are C++ heap",
    advice = "size the block cache and write buffers (and count index/filter blocks in the cache); Destroy options, iterators and snapshots",
    refs = { "https://github.com/facebook/rocksdb/wiki/Memory-usage-in-RocksDB" },
  },
  {
    id = "librdkafka-cgo",
    module = { "github.com/confluentinc/confluent-kafka-go", "github.com/confluentinc/confluent-kafka-go/v2" },
    kind = "cgo", cgo = true,
    what = "links librdkafka through cgo: producer and consumer queues (queue.buffering.max.kbytes, queued.max.messages.kbytes, fetch buffers) are C heap",
    advice = "lower queued.max.messages.kbytes / queue.buffering.max.kbytes / fetch.message.max.bytes; Close producers and consumers",
    refs = { "https://github.com/confluentinc/librdkafka/blob/master/CONFIGURATION.md" },
  },
  {
    id = "zstd-cgo",
    module = { "github.com/DataDog/zstd", "github.com/valyala/gozstd" },
    kind = "cgo", cgo = true,
    what = "links libzstd through cgo: compression contexts and windows (MBs each at high levels or long windows) are C heap",
    advice = "reuse contexts, lower the level/window, and free writers and readers (Close)",
    refs = { "https://github.com/DataDog/zstd", "https://github.com/valyala/gozstd" },
  },
  {
    id = "image-libs-cgo",
    module = { "github.com/h2non/bimg", "github.com/davidbyttow/govips/v2", "gopkg.in/gographics/imagick.v2", "gopkg.in/gographics/imagick.v3" },
    kind = "cgo", cgo = true,
    what = "links libvips or ImageMagick through cgo: decoded images and operation caches are C heap",
    advice = "bound libvips' operation cache (vips_cache_set_max_mem) and concurrency; destroy wands / images after use",
    refs = { "https://www.libvips.org/API/current/VipsOperation.html", "https://github.com/gographics/imagick" },
  },
  {
    id = "lmdb-cgo-mmap",
    module = { "github.com/bmatsuo/lmdb-go", "github.com/PowerDNS/lmdb-go" },
    kind = "mmap-file", cgo = true,
    what = "LMDB maps the whole database file (MapSize) through cgo; touched pages are file-backed RSS",
    advice = "set MapSize for the data, not far beyond; keep read transactions short so old pages can be reused",
    refs = { "http://www.lmdb.tech/doc/" },
  },
  {
    id = "maxminddb-mmap",
    module = { "github.com/oschwald/maxminddb-golang", "github.com/oschwald/geoip2-golang" },
    kind = "mmap-file",
    what = "maxminddb.Open maps the .mmdb database file; lookups make its pages resident (file-backed, clean, reclaimable)",
    advice = "this is cache, not a leak; use maxminddb.FromBytes only if the file must be in the heap",
    refs = { "https://pkg.go.dev/github.com/oschwald/maxminddb-golang#Open" },
  },
  {
    id = "mmap-go",
    module = { "github.com/edsrzf/mmap-go", "github.com/blevesearch/mmap-go", "golang.org/x/exp/mmap" },
    kind = "mmap-file",
    what = "maps files on the program's behalf; the touched pages are file-backed RSS",
    advice = "unmap (Unmap/Close) files that are no longer needed",
    refs = { "https://pkg.go.dev/github.com/edsrzf/mmap-go" },
  },
}
