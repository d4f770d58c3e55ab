package dev.caddie.rules;

/** Parameters that share one storage format in the export, e.g. {@code mlp:15728640:5}. */
public record TensorGroup(String name, long params, Storage storage) {

    public TensorGroup {
        if (params <= 0) throw new IllegalArgumentException("group " + name + ": parameter count must be positive, got " + params);
    }

    /** Parses NAME:PARAMS:BITS (the name may itself contain colons; the last two fields are the numbers). */
    public static TensorGroup parse(String spec) {
        String s = spec.trim();
        int last = s.lastIndexOf(':'), mid = last < 0 ? -1 : s.lastIndexOf(':', last - 1);
        if (mid <= 0) throw new IllegalArgumentException("group '" + spec + "': expected NAME:PARAMS:BITS, e.g. mlp:15728640:5 (bits " + Storage.ACCEPTED + ")");
        String name = s.substring(0, mid);
        long params;
        try {
            params = Long.parseLong(s.substring(mid + 1, last).replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("group '" + spec + "': PARAMS '" + s.substring(mid + 1, last) + "' is not a whole number");
        }
        try {
            return new TensorGroup(name, params, Storage.parse(s.substring(last + 1), name));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("group '" + spec + "': " + e.getMessage());
        }
    }

    @Override
    public String toString() { return name + ":" + params + ":" + storage; }
}
