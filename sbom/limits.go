package sbom

// MaxSBOMBytes bounds an incoming SBOM. The largest real SBOMs we know of
// (juice-shop, keycloak) are around 2 MiB; 64 MiB leaves room for very large
// firmware images while refusing a stream that never ends.
const MaxSBOMBytes = 64 << 20

// MaxComponents bounds the component count, nested ones included, so that
// hostile nesting cannot make validation quadratic or exhaust memory.
const MaxComponents = 200_000

// MaxNesting bounds component nesting depth; real SBOMs nest two or three
// levels, and unbounded recursion on hostile input would exhaust the stack.
const MaxNesting = 32
