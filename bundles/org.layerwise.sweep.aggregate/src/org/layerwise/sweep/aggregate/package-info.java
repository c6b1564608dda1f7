/**
 * Aggregation of a sweep directory: a row per run (every swept setting, the seed, every scalar
 * of metrics.json and of each analyzer), the chosen metrics against each axis with intervals
 * across seeds, and report.html (docs/sweeps.md).
 */
package org.layerwise.sweep.aggregate;
