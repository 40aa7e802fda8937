/**
 * socklab as one picocli model ({@link dev.socklab.dist.SocklabCommand}), the man pages and the
 * shell completion generated from it at build time ({@link dev.socklab.dist.Generate}), and, beside
 * this code, the release tarball's assembly (src/assembly/release.xml). See dist/README.md.
 */
package dev.socklab.dist;
