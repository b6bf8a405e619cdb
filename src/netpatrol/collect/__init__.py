"""Collection over SSH: Nornir build, the session plugin, host keys, jump hosts, runner, shards, progress."""
