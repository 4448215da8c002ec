package dev.verdict.bench.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Ranks 0..n-1 drawn with probability proportional to 1/(rank+1)^exponent, by binary search in the
 * cumulative distribution (8 bytes per rank: fine up to millions).
 */
public final class Zipf {
    private final double[] cumulative;

    public Zipf(int n, double exponent) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be positive, was " + n);
        }
        cumulative = new double[n];
        double sum = 0;
        for (int rank = 0; rank < n; rank++) {
            sum += 1 / Math.pow(rank + 1, exponent);
            cumulative[rank] = sum;
        }
        for (int rank = 0; rank < n; rank++) {
            cumulative[rank] /= sum;
        }
    }

    public int sample(SplittableRandom random) {
        int at = Arrays.binarySearch(cumulative, random.nextDouble());
        int rank = at >= 0 ? at : -at - 1;
        return Math.min(rank, cumulative.length - 1);
    }
}
