# Kept equal to the crate version in Cargo.toml (which maturin stamps on the wheel); a unit test
# checks that they agree.
__version__ = "0.1.0"
