/**
 * socklab as one picocli model ({@link dev.socklab.dist.SocklabCommand}), and the man pages and
 * shell completion generated from it at build time ({@link dev.socklab.dist.Generate}).
 */
package dev.socklab.dist;
