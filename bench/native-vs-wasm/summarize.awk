# Summarizes one kernel's timings (see README.md, "What is measured").
#
# Input: one line per timed run, "SIDE WALL CPU", where SIDE is native_n,
# tern_n, native_0 or tern_0 and the times are seconds. Every round times
# all four, so the i-th native_n and the i-th tern_n ran back to back.
# Variables: kernel, n.
# Output: "KERNEL N NATIVE_S TERN_S RATIO RATIO_MIN RATIO_MAX WALL_RATIO
# STARTUP_S", or "bad" when the work is too small to measure.

function median(v, count,    i, j, x, s) {
    for (i = 1; i <= count; i++)
        s[i] = v[i]
    for (i = 2; i <= count; i++) {
        x = s[i]
        for (j = i - 1; j >= 1 && s[j] > x; j--)
            s[j + 1] = s[j]
        s[j + 1] = x
    }
    return (count % 2) ? s[(count + 1) / 2] : (s[count / 2] + s[count / 2 + 1]) / 2
}

{
    k = ++runs[$1]
    wall[$1, k] = $2
    cpu[$1, k] = $3
}

function column(side, table, out,    i) {
    for (i = 1; i <= runs[side]; i++)
        out[i] = table[side, i]
    return median(out, runs[side])
}

END {
    # Fixed costs: the median N = 0 run of each side.
    native0_cpu = column("native_0", cpu, tmp)
    tern0_cpu = column("tern_0", cpu, tmp)
    native0_wall = column("native_0", wall, tmp)
    tern0_wall = column("tern_0", wall, tmp)

    rounds = runs["native_n"]
    lo = hi = 0
    for (i = 1; i <= rounds; i++) {
        native_net[i] = cpu["native_n", i] - native0_cpu
        tern_net[i] = cpu["tern_n", i] - tern0_cpu
        native_wall_net = wall["native_n", i] - native0_wall
        tern_wall_net = wall["tern_n", i] - tern0_wall
        if (native_net[i] <= 0 || tern_net[i] <= 0 || native_wall_net <= 0 || tern_wall_net <= 0) {
            print "bad"
            exit
        }
        ratio[i] = tern_net[i] / native_net[i]
        wall_ratio[i] = tern_wall_net / native_wall_net
        if (i == 1 || ratio[i] < lo) lo = ratio[i]
        if (i == 1 || ratio[i] > hi) hi = ratio[i]
    }
    printf "%s %s %.3f %.3f %.3f %.2f %.2f %.3f %.4f\n", kernel, n,
        median(native_net, rounds), median(tern_net, rounds), median(ratio, rounds),
        lo, hi, median(wall_ratio, rounds), tern0_wall
}
