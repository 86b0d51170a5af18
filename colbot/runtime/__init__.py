"""Runtime: several processes on one database, run-once leases and jobs in flight."""
