package org.layerwise.core.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.layerwise.core.Tensor;

/** A contiguous range of a tensor, widened to double, whatever its element type. */
class TensorTest {

    @Test
    void a_range_reads_the_same_values_from_every_element_type() {
        double[] d = {0.5, -1.25, 2, 3.75, -4, 5.5};
        float[] f = {0.5f, -1.25f, 2, 3.75f, -4, 5.5f};
        long[] l = {0, -1, 2, 3, -4, 5};
        double[] expected = {-1.25, 2, 3.75};
        assertArrayEquals(expected, Tensor.of(d, 2, 3).doubles(1, 3), 0.0);
        assertArrayEquals(expected, Tensor.of(f, 2, 3).doubles(1, 3), 0.0);
        assertArrayEquals(new double[] {-1, 2, 3}, Tensor.of(l, 6).doubles(1, 3), 0.0);
        double[] whole = Tensor.of(d, 6).doubles(0, 6);
        assertArrayEquals(d, whole, 0.0);
        assertNotSame(d, whole, "always a copy: the caller may change it");
        assertThrows(IndexOutOfBoundsException.class, () -> Tensor.of(d, 6).doubles(4, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> Tensor.of(d, 6).doubles(-1, 2));
    }
}
