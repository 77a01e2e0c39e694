// Placeholder: filled in with its suite (Benchmarks/suites/).
print("not implemented yet")
