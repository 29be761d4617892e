-- A team's own known issue: fastcache's bucket index maps in the Go heap
-- (the chunks themselves are off-heap). Loaded after the built-in table.
return {
  {
    id = "acme-fastcache-bucket-maps",
    module = { "github.com/VictoriaMetrics/fastcache" },
    affected = "our token cache keeps a bucket index map entry per token in the Go heap",
    signatures = { "fastcache.(*bucket).Set" },
    where = "heap",
    min_heap_share = 0.5,
    min_heap_bytes = 1048576,
    title = "ACME: the token cache's bucket maps dominate the Go heap",
    fix = "shard the token cache by tenant (ACME runbook 12)",
    refs = { "https://wiki.example.com/acme/runbook-12" },
  },
}
