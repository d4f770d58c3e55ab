package dev.caddie.rules;

import dev.caddie.SharedData;
import dev.caddie.Needs;
import dev.caddie.Requirement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The lint on the challenge's baseline turned invalid in each way the rules name (the variants are written
 * here, from the rules), on legal variants that must stay clean, and on every record script on file.
 */
@Needs(Requirement.PYTHON3)
class ScriptLintTest {
    static String baseline;
    static ScriptCode baselineCode;
    @TempDir Path tmp;

    @BeforeEach // not @BeforeAll: a class-level skip (no challenge data) would leave its tests uncounted
    void readBaseline() throws Exception {
        baselineCode = ScriptCode.read(SharedData.file("pgolf-scripts/baseline/train_gpt.py"));
        baseline = new String(baselineCode.bytes(), StandardCharsets.UTF_8);
    }

    /** The baseline with {@code code} inserted before the line that starts with {@code anchor}. */
    static String insertBefore(String text, String anchor, String code) {
        int i = text.indexOf(anchor);
        assertThat(i).as("anchor %s", anchor).isGreaterThanOrEqualTo(0);
        assertThat(text.indexOf(anchor, i + 1)).as("anchor %s is unique", anchor).isLessThan(0);
        int lineStart = text.lastIndexOf('\n', i) + 1;
        return text.substring(0, lineStart) + code + text.substring(lineStart);
    }

    static int lineOf(String text, String marker) {
        int i = text.indexOf(marker);
        assertThat(i).as("marker %s", marker).isGreaterThanOrEqualTo(0);
        return (int) text.substring(0, i).chars().filter(c -> c == '\n').count() + 1;
    }

    private List<LintFinding> lint(String text) throws Exception {
        return ScriptLint.lint(ScriptCode.of(tmp.resolve("train_gpt.py"), text.getBytes(StandardCharsets.UTF_8)), baselineCode);
    }

    private static List<LintFinding> violations(List<LintFinding> fs) { return fs.stream().filter(LintFinding::violation).toList(); }

    static final String PRE_QUANT_TTT = """
            def ttt_adapt(args, model, val_tokens, device):
                opt = torch.optim.SGD(model.parameters(), lr=1e-4)
                seq = args.train_seq_len
                for epoch in range(2):
                    for start in range(0, val_tokens.numel() - seq * 8 - 1, seq * 8):
                        local = val_tokens[start:start + seq * 8 + 1].to(device=device, dtype=torch.int64)
                        x = local[:-1].reshape(-1, seq)
                        y = local[1:].reshape(-1, seq)
                        loss = model(x, y)
                        opt.zero_grad()
                        loss.backward()  # SINK
                        opt.step()


            """;

    @Test
    void preQuantTestTimeTrainingOnValidationIsAViolationAtTheBackwardWithItsChain() throws Exception {
        String v = insertBefore(insertBefore(baseline, "def main() -> None:", PRE_QUANT_TTT),
                "    quant_obj, quant_stats = quantize_state_dict_int8(", "    ttt_adapt(args, base_model, val_tokens, device)\n");
        List<LintFinding> fs = lint(v);
        LintFinding f = violations(fs).stream().filter(x -> x.rule().equals("VAL_TRAIN_BEFORE_SCORE")).findFirst().orElseThrow();
        assertThat(f.line()).isEqualTo(lineOf(v, "# SINK"));
        assertThat(f.chain()).extracting(LintFinding.Step::via).contains("ttt_adapt");
        // from where the validation shards enter, through the call, to the sink, to the score it precedes:
        assertThat(f.chain().get(0).line()).isEqualTo(lineOf(v, "val_tokens = load_validation_tokens(args.val_files"));
        assertThat(f.chain().get(f.chain().size() - 1).via()).isEqualTo("score");
        assertThat(f.message()).contains("before they are scored at line " + lineOf(v, "val_loss_sum += batch_loss"));
        // ...and the model trained on validation tokens is then written into the artifact:
        assertThat(violations(fs)).anyMatch(x -> x.rule().equals("PAID_PREFIX") && x.line() == lineOf(v, "torch.save(quant_obj, quant_buf)"));
    }

    @Test
    void trainingOnValidationAfterTheArtifactButBeforeTheFinalScoreIsAViolation() throws Exception {
        String v = insertBefore(insertBefore(baseline, "def main() -> None:", PRE_QUANT_TTT),
                "    t_qeval = time.perf_counter()", "    ttt_adapt(args, base_model, val_tokens, device)\n");
        List<LintFinding> fs = violations(lint(v));
        assertThat(fs).extracting(LintFinding::rule).containsExactly("VAL_TRAIN_BEFORE_SCORE");
        assertThat(fs.get(0).line()).isEqualTo(lineOf(v, "# SINK"));
    }

    static final String SCORE_FIRST = """
            def eval_score_first_ttt(args, model, val_tokens, device, base_bytes_lut, has_leading_space_lut, is_boundary_token_lut):
                seq = args.train_seq_len
                chunk = seq * 16
                opt = torch.optim.SGD(model.parameters(), lr=1e-4)
                loss_sum = torch.zeros((), device=device, dtype=torch.float64)
                token_count = torch.zeros((), device=device, dtype=torch.float64)
                byte_count = torch.zeros((), device=device, dtype=torch.float64)
                for start in range(0, val_tokens.numel() - chunk - 1, chunk):
                    local = val_tokens[start:start + chunk + 1].to(device=device, dtype=torch.int64)
                    x = local[:-1].reshape(-1, seq)
                    y = local[1:].reshape(-1, seq)
                    with torch.inference_mode():
                        nll = model(x, y).detach()
                        loss_sum += nll.to(torch.float64) * y.numel()  # SCORE
                        token_count += y.numel()
                        byte_count += base_bytes_lut[y].to(torch.float64).sum()
                    for _ in range(3):
                        loss = model(x, y)
                        opt.zero_grad()
                        loss.backward()  # SINK
                        opt.step()
                val_loss = loss_sum / token_count
                return float(val_loss), float(val_loss / math.log(2.0) * token_count / byte_count)


            """;
    static final String SCORE_FIRST_CALL = """
                ttt_loss, ttt_bpb = eval_score_first_ttt(args, base_model, val_tokens, device, base_bytes_lut, has_leading_space_lut, is_boundary_token_lut)
                log0(f"final_ttt_exact val_loss:{ttt_loss:.8f} val_bpb:{ttt_bpb:.8f}")
            """;

    @Test
    void scoreFirstTestTimeTrainingIsClean() throws Exception {
        String v = insertBefore(insertBefore(baseline, "def main() -> None:", SCORE_FIRST),
                "    if distributed:\n        dist.destroy_process_group()", SCORE_FIRST_CALL);
        assertThat(violations(lint(v))).isEmpty();
    }

    static final String MULTI_EPOCH = """
            def eval_multi_epoch_ttt(args, model, val_tokens, device, base_bytes_lut, has_leading_space_lut, is_boundary_token_lut):
                seq = args.train_seq_len
                chunk = seq * 16
                opt = torch.optim.SGD(model.parameters(), lr=1e-4)
                loss_sum = torch.zeros((), device=device, dtype=torch.float64)
                token_count = torch.zeros((), device=device, dtype=torch.float64)
                byte_count = torch.zeros((), device=device, dtype=torch.float64)
                for epoch in range(2):
                    for start in range(0, val_tokens.numel() - chunk - 1, chunk):
                        local = val_tokens[start:start + chunk + 1].to(device=device, dtype=torch.int64)
                        x = local[:-1].reshape(-1, seq)
                        y = local[1:].reshape(-1, seq)
                        with torch.inference_mode():
                            nll = model(x, y).detach()
                            loss_sum += nll.to(torch.float64) * y.numel()
                            token_count += y.numel()
                            byte_count += base_bytes_lut[y].to(torch.float64).sum()
                        loss = model(x, y)
                        opt.zero_grad()
                        loss.backward()  # SINK
                        opt.step()
                val_loss = loss_sum / token_count
                return float(val_loss), float(val_loss / math.log(2.0) * token_count / byte_count)


            """;

    @Test
    void scoringTheSameChunksAgainInALaterEpochIsAViolation() throws Exception {
        String v = insertBefore(insertBefore(baseline, "def main() -> None:", MULTI_EPOCH),
                "    if distributed:\n        dist.destroy_process_group()", SCORE_FIRST_CALL.replace("eval_score_first_ttt", "eval_multi_epoch_ttt"));
        List<LintFinding> fs = violations(lint(v));
        assertThat(fs).extracting(LintFinding::rule).containsExactly("VAL_TRAIN_BEFORE_SCORE");
        assertThat(fs.get(0).message()).contains("later pass");
        assertThat(fs.get(0).line()).isEqualTo(lineOf(v, "# SINK"));
    }

    @Test
    void perDocumentAdaptersScoredFirstAreClean() throws Exception {
        String perDoc = """
                class DocAdapter(nn.Module):
                    def __init__(self, dim):
                        super().__init__()
                        self.scale = nn.Parameter(torch.ones(dim))


                def eval_per_doc_ttt(args, model, val_tokens, device, base_bytes_lut, docs):
                    loss_sum = torch.zeros((), device=device, dtype=torch.float64)
                    byte_count = torch.zeros((), device=device, dtype=torch.float64)
                    for doc_start, doc_end in docs:
                        adapter = DocAdapter(args.model_dim)
                        opt = torch.optim.Adam(adapter.parameters(), lr=1e-3)
                        for ci in range(doc_start, doc_end, 256):
                            local = val_tokens[ci:ci + 257].to(device=device, dtype=torch.int64)
                            x, y = local[:-1][None], local[1:][None]
                            with torch.no_grad():
                                loss_sum += model(x, y, adapter).to(torch.float64)
                                byte_count += base_bytes_lut[y].sum()
                            loss = model(x, y, adapter)
                            loss.backward()
                            opt.step()
                    return loss_sum, byte_count


                """;
        String v = insertBefore(insertBefore(baseline, "def main() -> None:", perDoc),
                "    if distributed:\n        dist.destroy_process_group()", "    eval_per_doc_ttt(args, base_model, val_tokens, device, base_bytes_lut, [(0, 4096)])\n");
        assertThat(violations(lint(v))).isEmpty();
    }

    @Test
    void validationTokensStoredInTheArtifactArePaidPrefix() throws Exception {
        String v = insertBefore(baseline, "    quant_buf = io.BytesIO()", "    quant_obj[\"prefix\"] = val_tokens[:4096].clone()\n");
        List<LintFinding> fs = violations(lint(v));
        assertThat(fs).extracting(LintFinding::rule).containsExactly("PAID_PREFIX");
        assertThat(fs.get(0).line()).isEqualTo(lineOf(v, "torch.save(quant_obj, quant_buf)"));
    }

    @Test
    void trainingShardsReadDuringEvaluationOrAfterTheArtifactAreViolations() throws Exception {
        String inEval = insertBefore(baseline, "    val_loss_sum = torch.zeros((), device=device, dtype=torch.float64)",
                "    extra = load_data_shard(Path(sorted(glob.glob(args.train_files))[0]))  # SINK\n");
        List<LintFinding> a = violations(lint(inEval));
        assertThat(a).extracting(LintFinding::rule).containsExactly("TRAIN_DATA_AT_EVAL");
        assertThat(a.get(0).line()).isEqualTo(lineOf(inEval, "# SINK"));
        String burst = insertBefore(baseline, "    torch.cuda.synchronize()\n    t_qeval",
                "    burst_loader = DistributedTokenLoader(args.train_files, rank, world_size, device)  # SINK\n");
        List<LintFinding> b = violations(lint(burst));
        assertThat(b).extracting(LintFinding::rule).containsExactly("TRAIN_DATA_AT_EVAL");
        assertThat(b.get(0).line()).isEqualTo(lineOf(burst, "# SINK"));
    }

    @Test
    void validationCountsWrittenIntoTheEmbeddingAreTrainingWithoutAutograd() throws Exception {
        String v = insertBefore(baseline, "    quant_obj, quant_stats = quantize_state_dict_int8(",
                "    with torch.no_grad():\n        base_model.tok_emb.weight.data[val_tokens[:4096].long()] += 0.01  # SINK\n");
        List<LintFinding> fs = violations(lint(v));
        assertThat(fs).extracting(LintFinding::rule).contains("VAL_TRAIN_BEFORE_SCORE");
        assertThat(fs.stream().filter(f -> f.rule().equals("VAL_TRAIN_BEFORE_SCORE")).findFirst().orElseThrow().line()).isEqualTo(lineOf(v, "# SINK"));
        String accel = insertBefore(insertBefore(baseline, "def main() -> None:", PRE_QUANT_TTT.replace("loss.backward()  # SINK", "accelerator.backward(loss)  # SINK")),
                "    quant_obj, quant_stats = quantize_state_dict_int8(", "    ttt_adapt(args, base_model, val_tokens, device)\n");
        assertThat(violations(lint(accel))).anyMatch(f -> f.rule().equals("VAL_TRAIN_BEFORE_SCORE") && f.line() == lineOf(accel, "# SINK"));
    }

    @Test
    void aShellDownloadIsNetworkAtEvalToo() throws Exception {
        String v = insertBefore(baseline, "    torch.cuda.synchronize()\n    t_qeval",
                "    subprocess.run([\"wget\", \"-q\", \"https://example.com/cache.bin\"], check=True)  # SINK\n");
        List<LintFinding> fs = violations(lint(v));
        assertThat(fs).extracting(LintFinding::rule).containsExactly("NETWORK_AT_EVAL");
        assertThat(fs.get(0).line()).isEqualTo(lineOf(v, "# SINK"));
    }

    @Test
    void aDownloadAtRunTimeIsNetworkAtEval() throws Exception {
        String v = insertBefore(insertBefore(baseline, "import torch\n", "import urllib.request\n"),
                "    torch.cuda.synchronize()\n    t_qeval", "    urllib.request.urlretrieve(\"https://example.com/x.bin\", \"x.bin\")  # SINK\n");
        List<LintFinding> fs = violations(lint(v));
        assertThat(fs).extracting(LintFinding::rule).containsExactly("NETWORK_AT_EVAL");
        assertThat(fs.get(0).line()).isEqualTo(lineOf(v, "# SINK"));
    }

    static final String CALIB = """
            def collect_hessians(model, args, rank, world_size, device):
                loader = DistributedTokenLoader(args.train_files, rank, world_size, device)  # SINK
                x, y = loader.next_batch(args.train_batch_tokens, args.train_seq_len, 1)
                return x


            """;

    @Test
    void calibrationOnTrainingDataAfterTheCapIsAViolationUnlessTimeIsReservedForIt() throws Exception {
        String v = insertBefore(insertBefore(baseline, "def main() -> None:", CALIB),
                "    quant_obj, quant_stats = quantize_state_dict_int8(", "    hessians = collect_hessians(base_model, args, rank, world_size, device)\n");
        List<LintFinding> fs = violations(lint(v));
        assertThat(fs).extracting(LintFinding::rule).containsExactly("CALIB_AFTER_CAP");
        assertThat(fs.get(0).line()).isEqualTo(lineOf(v, "# SINK"));
        String reserved = v.replace("    max_wallclock_ms = 1000.0 * args.max_wallclock_seconds if args.max_wallclock_seconds > 0 else None",
                "    max_wallclock_ms = 1000.0 * (args.max_wallclock_seconds - gptq_reserve_seconds) if args.max_wallclock_seconds > 0 else None");
        assertThat(reserved).isNotEqualTo(v);
        assertThat(violations(lint(reserved))).isEmpty();
    }

    @Test
    void nonCausalAttentionAndLearnedMasksAreCausalityLeaks() throws Exception {
        String v = baseline.replace("            is_causal=True,", "            is_causal=False,");
        List<LintFinding> fs = violations(lint(v));
        assertThat(fs).extracting(LintFinding::rule).containsExactly("CAUSALITY_LEAK");
        assertThat(fs.get(0).line()).isEqualTo(lineOf(v, "y = F.scaled_dot_product_attention("));
        String learned = insertBefore(baseline, "        self.rotary = Rotary(", "        self.attn_mask = nn.Parameter(torch.zeros(1024, 1024))\n");
        assertThat(violations(lint(learned))).extracting(LintFinding::rule).containsExactly("CAUSALITY_LEAK");
    }

    @Test
    void targetsThatAreTheInputsOrAMaskThatReachesAheadAreCausalityLeaks() throws Exception {
        String same = baseline.replace("            y = local[1:].reshape(-1, args.train_seq_len)", "            y = local[:-1].reshape(-1, args.train_seq_len)");
        assertThat(same).isNotEqualTo(baseline);
        List<LintFinding> a = violations(lint(same));
        assertThat(a).extracting(LintFinding::rule).containsExactly("CAUSALITY_LEAK");
        assertThat(a.get(0).line()).isEqualTo(lineOf(same, "            y = local[:-1].reshape(-1, args.train_seq_len)"));
        String ahead = insertBefore(baseline, "        self.rotary = Rotary(", "        self.register_buffer(\"allowed\", torch.tril(torch.ones(1024, 1024), diagonal=1))  # SINK\n");
        List<LintFinding> b = violations(lint(ahead));
        assertThat(b).extracting(LintFinding::rule).containsExactly("CAUSALITY_LEAK");
        assertThat(b.get(0).line()).isEqualTo(lineOf(ahead, "# SINK"));
    }

    @Test
    void aSmearThatIgnoresDocumentBoundariesIsAReviewFinding() throws Exception {
        String smear = """
                class SmearGate(nn.Module):
                    def __init__(self, dim):
                        super().__init__()
                        self.gate = nn.Parameter(torch.zeros(dim))

                    def forward(self, x):
                        prev = torch.cat([torch.zeros_like(x[:, :1]), x[:, :-1]], dim=1)
                        return x + torch.sigmoid(self.gate) * prev


                """;
        List<LintFinding> fs = lint(insertBefore(baseline, "class GPT(nn.Module):", smear));
        assertThat(violations(fs)).isEmpty();
        assertThat(fs).anyMatch(f -> f.rule().equals("CAUSALITY_LEAK") && f.severity().equals(LintFinding.REVIEW));
    }

    @Test
    void aDifferentByteCountIsAReviewNotAViolation() throws Exception {
        String v = baseline.replace("base_bytes_np[token_id] = len(piece.encode(\"utf-8\"))", "base_bytes_np[token_id] = len(piece.encode(\"utf-8\")) + 1");
        assertThat(v).isNotEqualTo(baseline);
        List<LintFinding> fs = lint(v);
        assertThat(violations(fs)).isEmpty();
        assertThat(fs).singleElement().satisfies(f -> {
            assertThat(f.rule()).isEqualTo("BPB_ACCOUNTING");
            assertThat(f.line()).isEqualTo(lineOf(v, "def build_sentencepiece_luts("));
        });
    }

    static final String SLOT = """
            def eval_slot(args, model, val_tokens, device):
                loss_sum = torch.zeros((), device=device, dtype=torch.float64)
                seq = args.train_seq_len
                for start in range(0, val_tokens.numel() - seq - 1, seq):
                    local = val_tokens[start:start + seq + 1].to(device=device, dtype=torch.int64)
                    x = local[:-1].reshape(1, seq)
                    y_batch = local[1:].reshape(1, seq)
                    with torch.no_grad():
                        hidden = model.hidden(x)
                    delta = torch.zeros(1, 1, hidden.size(-1), device=device, requires_grad=True)
                    opt = torch.optim.AdamW([delta], lr=0.01)
                    for _ in range(8):
                        opt.zero_grad()
                        fit = F.cross_entropy(model.head(hidden + delta).reshape(-1, 1024), y_batch.reshape(-1))
                        fit.backward()  # FIT
                        opt.step()
                    with torch.no_grad():
                        nll = F.cross_entropy(model.head(hidden + delta).reshape(-1, 1024), y_batch.reshape(-1), reduction="sum")
                    loss_sum += nll.double()  # SCORED
                return loss_sum


            """;

    @Test
    void anOptimisedDeltaFittedOnTheTargetsItThenScoresIsSlotAndOffByDefaultItIsAReviewNamingTheFlag() throws Exception {
        String on = insertBefore(insertBefore(baseline, "def main() -> None:", SLOT),
                "    if distributed:\n        dist.destroy_process_group()", "    eval_slot(args, base_model, val_tokens, device)\n");
        List<LintFinding> fs = lint(on);
        assertThat(violations(fs)).extracting(LintFinding::rule).containsExactly("SLOT_ETLB");
        assertThat(violations(fs).get(0).line()).isEqualTo(lineOf(on, "# FIT"));
        assertThat(violations(fs).get(0).message()).contains("delta").contains("y_batch").contains("scored at line " + lineOf(on, "# SCORED"));
        // The delta never reaches the model: no PAID_PREFIX, no claim that the model trained on validation data.
        assertThat(fs).noneMatch(f -> f.rule().equals("PAID_PREFIX") || f.rule().equals("VAL_TRAIN_BEFORE_SCORE"));

        String off = insertBefore(insertBefore(insertBefore(baseline, "def main() -> None:", SLOT), "    val_files = os.path.join(",
                        "    slot_enabled = bool(int(os.environ.get(\"SLOT_ENABLED\", \"0\")))\n"),
                "    if distributed:\n        dist.destroy_process_group()",
                "    use_slot = getattr(args, \"slot_enabled\", False)\n    if use_slot:\n        eval_slot(args, base_model, val_tokens, device)\n");
        List<LintFinding> gated = lint(off);
        assertThat(violations(gated)).isEmpty();
        assertThat(gated).filteredOn(f -> f.rule().equals("SLOT_ETLB")).singleElement().satisfies(f -> {
            assertThat(f.severity()).isEqualTo("review");
            assertThat(f.message()).startsWith("off by default, behind SLOT_ENABLED (default '0')").contains("turned on");
        });
    }

    @Test
    void trainingOnValidationBehindAFlagIsJudgedByTheFlagsDefault() throws Exception {
        String flag = "    ttt_enabled = int(os.environ.get(\"TTT_ENABLED\", \"%s\"))\n";
        String call = "    if args.ttt_enabled:\n        ttt_adapt(args, base_model, val_tokens, device)\n";
        for (String dflt : new String[]{"0", "1"}) {
            String v = insertBefore(insertBefore(insertBefore(baseline, "def main() -> None:", PRE_QUANT_TTT), "    val_files = os.path.join(", flag.formatted(dflt)),
                    "    quant_obj, quant_stats = quantize_state_dict_int8(", call);
            List<LintFinding> fs = lint(v);
            if (dflt.equals("1")) {
                assertThat(violations(fs)).extracting(LintFinding::rule).contains("VAL_TRAIN_BEFORE_SCORE", "PAID_PREFIX");
            } else {
                assertThat(violations(fs)).isEmpty();
                assertThat(fs).filteredOn(f -> f.rule().equals("VAL_TRAIN_BEFORE_SCORE")).singleElement()
                        .satisfies(f -> assertThat(f.message()).contains("TTT_ENABLED (default '0')"));
            }
        }
        // An early return on the flag gates everything after it in that function.
        String early = insertBefore(insertBefore(baseline, "def main() -> None:", PRE_QUANT_TTT.replace("    opt = torch.optim.SGD(",
                        "    if os.environ.get(\"TTT\", \"0\") != \"1\":\n        return\n    opt = torch.optim.SGD(")),
                "    quant_obj, quant_stats = quantize_state_dict_int8(", "    ttt_adapt(args, base_model, val_tokens, device)\n");
        assertThat(violations(lint(early))).isEmpty();
    }

    @Test
    void validationTokensWrittenThroughABufferArePaidPrefixAndAScoreMaskedByStoredTokensToo() throws Exception {
        String viaBuffer = insertBefore(baseline, "    quant_buf = io.BytesIO()",
                "    pbuf = io.BytesIO()\n    pbuf.write(val_tokens[:4096].numpy().tobytes())\n    pblob = zlib.compress(pbuf.getvalue())\n"
                        + "    with open(\"prefix.bin\", \"wb\") as pf:\n        pf.write(pblob)\n");
        assertThat(violations(lint(viaBuffer))).extracting(LintFinding::rule).contains("PAID_PREFIX");
        String masked = insertBefore(baseline, "            val_loss_sum += batch_loss",
                "            prefix = stored_prefix[raw_start:raw_end - 1].to(device)\n            hit = prefix == y.reshape(-1)\n"
                        + "            batch_loss = batch_loss * (~hit).float().mean()  # MASK\n");
        List<LintFinding> fs = violations(lint(masked.replace("def eval_val(", "stored_prefix = torch.load(\"prefix.pt\")\n\n\ndef eval_val(")));
        assertThat(fs).anySatisfy(f -> {
            assertThat(f.rule()).isEqualTo("PAID_PREFIX");
            assertThat(f.message()).contains("stored token");
        });
    }

    static final String NGRAM = """
            def eval_ngram(args, model, val_tokens, device):
                table = np.zeros(1 << 20, dtype=np.int64)
                toks = val_tokens.cpu().numpy()
                loss_sum = 0.0
            %s
                return loss_sum


            """;

    @Test
    void countsBuiltFromAllValidationTokensBeforeScoringAreACausalityLeakButScoreFirstCountsAreNot() throws Exception {
        String twoPass = """
                    keys = (toks[:-1] * 1024 + toks[1:]) % (1 << 20)
                    np.add.at(table, keys, 1)  # COUNT
                    for i in range(1, len(toks) - 1):
                        p = table[(toks[i - 1] * 1024 + toks[i]) % (1 << 20)] / max(1, len(toks))
                        loss_sum += -np.log(p + 1e-9)
                """;
        String scoreFirst = """
                    for i in range(1, len(toks) - 1):
                        key = (toks[i - 1] * 1024 + toks[i]) % (1 << 20)
                        p = table[key] / max(1, i)
                        loss_sum += -np.log(p + 1e-9)
                        np.add.at(table, np.array([key]), 1)
                """;
        String call = "    eval_ngram(args, base_model, val_tokens, device)\n";
        String leak = insertBefore(insertBefore(baseline, "def main() -> None:", NGRAM.formatted(twoPass.stripTrailing())),
                "    if distributed:\n        dist.destroy_process_group()", call);
        assertThat(violations(lint(leak))).singleElement().satisfies(f -> {
            assertThat(f.rule()).isEqualTo("CAUSALITY_LEAK");
            assertThat(f.line()).isEqualTo(lineOf(leak, "# COUNT"));
        });
        String legal = insertBefore(insertBefore(baseline, "def main() -> None:", NGRAM.formatted(scoreFirst.stripTrailing())),
                "    if distributed:\n        dist.destroy_process_group()", call);
        assertThat(violations(lint(legal))).isEmpty();
    }

    @Test
    void bidirectionalAttentionInAMaskedDiffusionModelIsAReviewNotAViolation() throws Exception {
        String diffusion = """
                import torch
                import torch.nn.functional as F
                MASK_ID = 1024
                def attn(q, k, v):
                    return F.scaled_dot_product_attention(q, k, v, is_causal=False)
                def corrupt(x0, p):
                    return torch.where(torch.rand_like(x0.float()) < p, MASK_ID, x0)
                """;
        assertThat(lint(diffusion)).filteredOn(f -> f.rule().equals("CAUSALITY_LEAK")).singleElement().satisfies(f -> {
            assertThat(f.severity()).isEqualTo("review");
            assertThat(f.message()).contains("masked-diffusion");
        });
        // the same attention in a next-token model is a leak
        assertThat(violations(lint(diffusion.replace("MASK_ID, x0", "0, x0")))).extracting(LintFinding::rule).containsExactly("CAUSALITY_LEAK");
    }

    @Test
    void slotWithParamGroupsOrAHandWrittenStepAndALibraryCounterFedAllTokensAreStillCaught() throws Exception {
        String groups = """
                import torch
                import torch.nn.functional as F
                import glob
                def main():
                    val_tokens = torch.load(glob.glob("data/fineweb_val_*.bin")[0])
                    loss_sum = torch.zeros(())
                    for start in range(0, 1000, 100):
                        chunk = val_tokens[start:start + 101]
                        x, y = chunk[:-1], chunk[1:]
                        with torch.no_grad():
                            hidden = model.hidden(x)
                        bias = torch.zeros(1024, requires_grad=True)
                        opt = torch.optim.AdamW([{"params": [bias], "lr": 0.01}])
                        for _ in range(4):
                            fit = F.cross_entropy(model.head(hidden) + bias, y)
                            fit.backward()
                            opt.step()
                        with torch.no_grad():
                            nll = F.cross_entropy(model.head(hidden) + bias, y, reduction="sum")
                        loss_sum += nll
                    return loss_sum
                if __name__ == "__main__":
                    main()
                """;
        assertThat(violations(lint(groups))).extracting(LintFinding::rule).containsExactly("SLOT_ETLB");
        String manual = groups.replace("        opt = torch.optim.AdamW([{\"params\": [bias], \"lr\": 0.01}])\n", "")
                .replace("            opt.step()", "            bias.data.sub_(0.01 * bias.grad)");
        assertThat(manual).doesNotContain("AdamW");
        assertThat(violations(lint(manual))).extracting(LintFinding::rule).containsExactly("SLOT_ETLB");
        String counter = """
                import collections, glob, math
                import numpy as np
                def main():
                    toks = np.fromfile(glob.glob("data/fineweb_val_*.bin")[0], dtype=np.uint16)
                    counts = collections.Counter()
                    counts.update(zip(toks[:-1], toks[1:]))
                    loss_sum = 0.0
                    for i in range(1, len(toks)):
                        p = counts[(toks[i - 1], toks[i])] / len(toks)
                        loss_sum += -math.log(p + 1e-9)
                    return loss_sum
                if __name__ == "__main__":
                    main()
                """;
        assertThat(violations(lint(counter))).extracting(LintFinding::rule).containsExactly("CAUSALITY_LEAK");
        String scoreFirst = """
                import collections, glob, math
                import numpy as np
                def main():
                    toks = np.fromfile(glob.glob("data/fineweb_val_*.bin")[0], dtype=np.uint16)
                    counts = collections.Counter()
                    loss_sum = 0.0
                    for i in range(1, len(toks)):
                        p = (counts[(toks[i - 1], toks[i])] + 1) / (i + 1024)
                        loss_sum += -math.log(p)
                        counts.update([(toks[i - 1], toks[i])])
                    return loss_sum
                if __name__ == "__main__":
                    main()
                """;
        assertThat(violations(lint(scoreFirst))).isEmpty();
    }

    @Test
    void theBaselineAndEveryRecordScriptOnFileLintWithoutAViolation() throws Exception {
        assertThat(lint(baseline)).isEmpty();
        List<Path> scripts = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(SharedData.file("pgolf-scripts"))) {
            for (Path d : dirs)
                try (DirectoryStream<Path> files = Files.newDirectoryStream(d, "*.py")) {
                    for (Path f : files) if (!f.getFileName().toString().contains("decoded")) scripts.add(f);
                }
        }
        assertThat(scripts).hasSizeGreaterThanOrEqualTo(9);
        for (Path s : scripts)
            assertThat(violations(ScriptLint.lint(ScriptCode.read(s), baselineCode))).as(s.toString()).isEmpty();
    }

    @Test
    void notPythonAndBrokenWrappersAreClearErrors() throws Exception {
        assertThatThrownBy(() -> lint("def f(:\n")).hasMessageContaining("train_gpt.py: not valid Python, line 1");
        Path w = Files.writeString(tmp.resolve("w.py"), "import lzma as L,base64 as B\nexec(L.decompress(B.b85decode(\"0000000000\")))\n");
        assertThatThrownBy(() -> ScriptCode.read(w)).hasMessageContaining("the exec wrapper does not decode");
    }
}
