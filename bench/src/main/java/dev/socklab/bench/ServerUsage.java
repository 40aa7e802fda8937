package dev.socklab.bench;

/**
 * A server's resource use during a round, read from {@code /proc/PID} ({@code man 5 proc}).
 *
 * @param maxRssBytes the largest resident set size seen, in bytes ({@code VmRSS} of {@code status})
 * @param cpuShare CPU time used (user + system, {@code stat} fields 14 and 15) over wall time; 1.0
 *     is one core busy all the time, 2.0 two cores
 * @param maxThreads the most threads seen ({@code Threads} of {@code status})
 */
record ServerUsage(long maxRssBytes, double cpuShare, int maxThreads) {}
