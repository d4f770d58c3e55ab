package dev.caddie.task;

/**
 * [llm]: the model research grading and reflection use, through an OpenAI-compatible chat-completions API (OpenAI,
 * Anthropic's OpenAI-compatible endpoint, vLLM, llama.cpp's server, Ollama).
 *
 * @param baseUrl           the API root, e.g. https://api.openai.com/v1 or http://127.0.0.1:8080/v1 (null: no LLM configured)
 * @param model             the model name the server expects
 * @param apiKeyEnv         the environment variable holding the key (null: none sent, as local servers want)
 * @param dollars           the most all calls together may cost
 * @param inputPerMillion   dollars per million prompt tokens
 * @param outputPerMillion  dollars per million completion tokens
 * @param stream            ask for a server-sent-events stream (some proxies only stream)
 * @param timeoutSeconds    per request
 * @param concurrency       calls in flight at once (grading is one call per finding, each independent)
 */
public record LlmSettings(String baseUrl, String model, String apiKeyEnv, double dollars, double inputPerMillion, double outputPerMillion,
                          boolean stream, int timeoutSeconds, int concurrency) {
    public static LlmSettings none() { return new LlmSettings(null, null, null, 0, 0, 0, false, 120, 4); }

    public boolean configured() { return baseUrl != null && model != null; }
}
