//! Unit tests: due times, suspensions and used time.
