package dev.caddie.run;

/** One score-bearing line of a train log, e.g. {@code final_int8_zlib_roundtrip_exact val_loss:2.07 val_bpb:1.22}. */
public record FinalMetric(String name, double valBpb, double valLoss, int line) {}
