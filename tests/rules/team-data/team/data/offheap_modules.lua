-- Replaces the built-in fastcache entry (same id) with the team's wording.
return {
  {
    id = "fastcache-mmap-chunks",
    module = { "github.com/VictoriaMetrics/fastcache" },
    kind = "mmap-anon",
    what = "ACME: holds the token cache in mmap'd 64 KiB chunks",
    advice = "ACME: the token cache is sized by -max-mb; keep it under half the pod limit",
    refs = { "https://wiki.example.com/acme/token-cache" },
  },
}
