/**
 * Sweeps: a grid (or zip) of settings over one pipeline, replicated over seeds, expanded into
 * points, validated point by point, run by a local or a SLURM executor into one run directory
 * per point, and recorded in the sweep directory's sweep.json (docs/sweeps.md).
 */
package org.layerwise.sweep;
