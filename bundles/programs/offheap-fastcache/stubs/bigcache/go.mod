module github.com/allegro/bigcache
