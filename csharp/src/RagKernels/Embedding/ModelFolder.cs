using System;
using System.IO;
using System.Text.Json;

namespace RagKernels.Embedding;

/// <summary>
/// What a sentence-transformers model folder exported to ONNX says about itself: the model file
/// (<c>onnx/model.onnx</c> or <c>model.onnx</c>), the tokenizer (<c>vocab.txt</c> with
/// <c>tokenizer_config.json</c>, else <c>tokenizer.json</c>), the maximum sequence length
/// (<c>sentence_bert_config.json</c>), the pooling (<c>1_Pooling/config.json</c>, mean when
/// absent) and the transformer's <c>config.json</c>.
/// </summary>
public sealed class ModelFolder
{
    public string Directory { get; }
    public string? ModelPath { get; }
    public BertTokenizer Tokenizer { get; }
    public PoolingMode Pooling { get; }
    /// <summary>Maximum tokens per text, [CLS] and [SEP] included.</summary>
    public int MaxLength { get; }
    /// <summary>The embedding dimension the configuration declares, or 0 when it does not.</summary>
    public int DeclaredDimension { get; }
    /// <summary>config.json's max_position_embeddings, or 0 when absent.</summary>
    public int MaxPositions { get; }

    /// <summary>Reads the folder. <paramref name="maxLength"/> 0 means the folder's own
    /// max_seq_length; <paramref name="requireModel"/> false reads only the tokenizer side.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder is missing.</exception>
    /// <exception cref="FileNotFoundException">The model or tokenizer file is missing.</exception>
    /// <exception cref="InvalidDataException">A configuration file is malformed or inconsistent.</exception>
    /// <exception cref="ArgumentException">max length out of range.</exception>
    public ModelFolder(string directory, int maxLength, bool requireModel)
    {
        if (!System.IO.Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"model folder not found: {directory}");
        }
        Directory = directory;
        string[] modelCandidates = [Path.Combine(directory, "onnx", "model.onnx"), Path.Combine(directory, "model.onnx")];
        ModelPath = Array.Find(modelCandidates, File.Exists);
        if (ModelPath is null && requireModel)
        {
            throw new FileNotFoundException($"no ONNX model in {directory}: looked for onnx/model.onnx and model.onnx");
        }

        JsonDocument? config = ReadJson(Path.Combine(directory, "config.json"));
        int vocabSize = Int(config, "vocab_size");
        MaxPositions = Int(config, "max_position_embeddings");
        int hidden = Int(config, "hidden_size");

        Tokenizer = ReadTokenizer(directory, out string vocabSource);
        if (vocabSize > 0 && Tokenizer.Vocabulary.Count > vocabSize)
        {
            throw new InvalidDataException(
                $"{vocabSource} has {Tokenizer.Vocabulary.Count} tokens but config.json says the model has vocab_size {vocabSize}: the tokenizer does not belong to this model");
        }

        JsonDocument? sbert = ReadJson(Path.Combine(directory, "sentence_bert_config.json"));
        int folderMax = Int(sbert, "max_seq_length");
        if (folderMax <= 0)
        {
            folderMax = MaxPositions > 0 ? MaxPositions : 512;
        }
        int limit = MaxPositions > 0 ? MaxPositions : int.MaxValue;
        if (maxLength != 0 && (maxLength < 2 || maxLength > limit))
        {
            throw new ArgumentException($"max_length must be between 2 and {(limit == int.MaxValue ? "2147483647" : limit)}, got {maxLength}");
        }
        MaxLength = maxLength != 0 ? maxLength : Math.Min(folderMax, limit);

        JsonDocument? pooling = ReadJson(Path.Combine(directory, "1_Pooling", "config.json"));
        Pooling = ReadPooling(pooling);
        int declared = Int(pooling, "word_embedding_dimension");
        DeclaredDimension = declared > 0 ? declared : hidden;
    }

    private static PoolingMode ReadPooling(JsonDocument? pooling)
    {
        if (pooling is null)
        {
            return PoolingMode.Mean;
        }
        bool cls = Bool(pooling, "pooling_mode_cls_token");
        bool mean = Bool(pooling, "pooling_mode_mean_tokens");
        bool max = Bool(pooling, "pooling_mode_max_tokens");
        bool sqrt = Bool(pooling, "pooling_mode_mean_sqrt_len_tokens");
        int chosen = (cls ? 1 : 0) + (mean ? 1 : 0) + (max ? 1 : 0) + (sqrt ? 1 : 0);
        if (chosen != 1)
        {
            throw new InvalidDataException(
                "1_Pooling/config.json must enable exactly one of pooling_mode_cls_token, pooling_mode_mean_tokens, "
                + "pooling_mode_max_tokens, pooling_mode_mean_sqrt_len_tokens (concatenated poolings are not supported)");
        }
        return cls ? PoolingMode.Cls : mean ? PoolingMode.Mean : max ? PoolingMode.Max : PoolingMode.MeanSqrtLength;
    }

    private static BertTokenizer ReadTokenizer(string directory, out string source)
    {
        string vocabTxt = Path.Combine(directory, "vocab.txt");
        string tokenizerJson = Path.Combine(directory, "tokenizer.json");
        if (File.Exists(vocabTxt))
        {
            source = vocabTxt;
            JsonDocument? settings = ReadJson(Path.Combine(directory, "tokenizer_config.json"));
            bool lower = BoolOr(settings, "do_lower_case", true);
            bool strip = BoolOr(settings, "strip_accents", lower);
            bool chinese = BoolOr(settings, "tokenize_chinese_chars", true);
            return new BertTokenizer(WordPieceVocabulary.FromVocabTxt(vocabTxt), new BertTokenizerOptions(lower, strip, chinese),
                Str(settings, "cls_token", "[CLS]"), Str(settings, "sep_token", "[SEP]"),
                Str(settings, "unk_token", "[UNK]"), Str(settings, "pad_token", "[PAD]"));
        }
        if (File.Exists(tokenizerJson))
        {
            source = tokenizerJson;
            JsonDocument json = ReadJson(tokenizerJson)!;
            JsonElement root = json.RootElement;
            if (!root.TryGetProperty("model", out JsonElement model) || Text(model, "type") != "WordPiece")
            {
                throw new InvalidDataException($"{tokenizerJson}: only WordPiece tokenizers (BERT) are supported");
            }
            bool lower = true, strip = true, chinese = true;
            if (root.TryGetProperty("normalizer", out JsonElement normalizer) && normalizer.ValueKind == JsonValueKind.Object)
            {
                if (Text(normalizer, "type") != "BertNormalizer")
                {
                    throw new InvalidDataException($"{tokenizerJson}: only the BertNormalizer is supported");
                }
                lower = ElementBool(normalizer, "lowercase", true);
                strip = ElementBool(normalizer, "strip_accents", lower);
                chinese = ElementBool(normalizer, "handle_chinese_chars", true);
            }
            int maxChars = model.TryGetProperty("max_input_chars_per_word", out JsonElement m) && m.ValueKind == JsonValueKind.Number ? m.GetInt32() : 100;
            string unk = Text(model, "unk_token") ?? "[UNK]";
            return new BertTokenizer(WordPieceVocabulary.FromTokenizerJson(model, tokenizerJson),
                new BertTokenizerOptions(lower, strip, chinese) { MaxInputCharsPerWord = maxChars }, unk: unk);
        }
        throw new FileNotFoundException($"no tokenizer in {directory}: looked for vocab.txt and tokenizer.json");
    }

    private static JsonDocument? ReadJson(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON: {e.Message}");
        }
    }

    private static int Int(JsonDocument? doc, string name) =>
        doc is not null && doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty(name, out JsonElement v)
        && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int n) ? n : 0;

    private static bool Bool(JsonDocument doc, string name) => BoolOr(doc, name, false);

    private static bool BoolOr(JsonDocument? doc, string name, bool fallback) =>
        doc is not null && doc.RootElement.ValueKind == JsonValueKind.Object ? ElementBool(doc.RootElement, name, fallback) : fallback;

    private static bool ElementBool(JsonElement element, string name, bool fallback) =>
        element.TryGetProperty(name, out JsonElement v) ? v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => fallback,
        } : fallback;

    private static string Str(JsonDocument? doc, string name, string fallback) =>
        doc is not null && doc.RootElement.ValueKind == JsonValueKind.Object ? Text(doc.RootElement, name) ?? fallback : fallback;

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
