using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;
using RagKernels.Bm25;

namespace RagKernels.Native.Exports;

/// <summary>
/// The BM25 index (shared/spec/bm25.md) behind a handle. Writes (add, remove) are serialised
/// inside the index and publish a new snapshot; reads (search, search_many, get_scores, len,
/// ids, save) work on the snapshot current when they start and never wait for a writer.
/// A query is either UTF-8 text read with the index's tokenizer (token_offsets NULL) or
/// pre-tokenized: token j is text[token_offsets[j] .. token_offsets[j + 1]].
/// </summary>
internal static unsafe class Bm25Exports
{
    private const string What = "BM25 index";

    /// <summary>
    /// <c>int32_t rk_bm25_create(int32_t method, double k1, double b, double delta, double epsilon,
    /// int32_t tokenizer, int32_t stopwords, uint64_t* handle)</c>: an empty index. method 0 lucene,
    /// 1 okapi, 2 bm25l, 3 bm25+; tokenizer 0 word, 1 word2; stopwords 0 none, 1 English (Lucene's
    /// 33 words). The caller owns the handle (rk_bm25_free). Status: RK_OK, RK_NULL_POINTER,
    /// RK_INVALID_ARGUMENT.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_bm25_create", CallConvs = [typeof(CallConvCdecl)])]
    public static int Create(int method, double k1, double b, double delta, double epsilon, int tokenizer, int stopwords, ulong* handle)
    {
        try
        {
            if (handle == null)
            {
                return LastError.NullPointer("handle");
            }
            if (method is < 0 or > 3)
            {
                return LastError.InvalidArgument($"method must be 0..3, got {method}");
            }
            if (tokenizer is < 0 or > 1 || stopwords is < 0 or > 1)
            {
                return LastError.InvalidArgument($"tokenizer and stopwords must be 0 or 1, got {tokenizer} and {stopwords}");
            }
            var index = new Bm25Index(new Bm25Scoring((Bm25Method)method, k1, b, delta, epsilon), (Bm25TokenizerKind)tokenizer, stopwords == 1);
            *handle = HandleTable.Add(HandleKind.Bm25Index, index);
            return Status.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    /// <summary><c>int32_t rk_bm25_free(uint64_t handle)</c>: releases the index. Status: RK_OK,
    /// RK_INVALID_HANDLE (also when freed twice).</summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_bm25_free", CallConvs = [typeof(CallConvCdecl)])]
    public static int Free(ulong handle)
    {
        try
        {
            return HandleTable.TryRemove(handle, HandleKind.Bm25Index, out Bm25Index _) ? Status.Ok : LastError.InvalidHandle(What);
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    /// <summary>
    /// <c>int32_t rk_bm25_add(uint64_t handle, const uint8_t* text, int64_t text_length,
    /// const int64_t* doc_starts, int64_t count, const int64_t* token_offsets, int64_t token_count,
    /// const uint8_t* ids, int64_t ids_length, const int64_t* id_offsets, const int64_t* keys)</c>:
    /// adds count documents. With token_offsets NULL, document i is text[doc_starts[i] ..
    /// doc_starts[i + 1]]; otherwise doc_starts index the token_count + 1 token offsets. id i is
    /// ids[id_offsets[i] .. id_offsets[i + 1]] (opaque bytes); keys (count entries) must increase
    /// and be at least rk_bm25_next_key. All buffers are borrowed for the call. Nothing changes
    /// on failure. Status: RK_OK, RK_NULL_POINTER, RK_INVALID_ARGUMENT, RK_INVALID_UTF8,
    /// RK_INVALID_HANDLE.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_bm25_add", CallConvs = [typeof(CallConvCdecl)])]
    public static int Add(ulong handle, byte* text, long textLength, long* docStarts, long count, long* tokenOffsets, long tokenCount,
        byte* ids, long idsLength, long* idOffsets, long* keys) =>
        AddDocuments(handle, text, textLength, docStarts, count, tokenOffsets, tokenCount, ids, idsLength, idOffsets, keys, publish: true);

    /// <summary>
    /// <c>int32_t rk_bm25_add_staged(...)</c>, the arguments of rk_bm25_add: adds the documents
    /// without publishing them. Searches, rk_bm25_len and saves do not see staged documents until
    /// rk_bm25_commit(handle, 1) (or the next rk_bm25_add / rk_bm25_remove) publishes them;
    /// rk_bm25_commit(handle, 0) drops them and restores rk_bm25_next_key. A long add runs as many
    /// short calls this way (the caller can be interrupted between them) and rebuilds the scores
    /// once. Nothing changes on failure. Statuses as rk_bm25_add.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_bm25_add_staged", CallConvs = [typeof(CallConvCdecl)])]
    public static int AddStaged(ulong handle, byte* text, long textLength, long* docStarts, long count, long* tokenOffsets, long tokenCount,
        byte* ids, long idsLength, long* idOffsets, long* keys) =>
        AddDocuments(handle, text, textLength, docStarts, count, tokenOffsets, tokenCount, ids, idsLength, idOffsets, keys, publish: false);

    /// <summary><c>int32_t rk_bm25_commit(uint64_t handle, int32_t keep, int64_t* staged)</c>: ends
    /// staging (see rk_bm25_add_staged). keep = 1 publishes the staged documents, keep = 0 drops
    /// them (the index is then as before the first staged add). <c>*staged</c> receives how many
    /// there were (0: nothing happens). Status: RK_OK, RK_NULL_POINTER, RK_INVALID_ARGUMENT
    /// (keep not 0 or 1), RK_INVALID_HANDLE.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_bm25_commit", CallConvs = [typeof(CallConvCdecl)])]
    public static int Commit(ulong handle, int keep, long* staged)
    {
        try
        {
            if (!HandleTable.TryGet(handle, HandleKind.Bm25Index, out Bm25Index index))
            {
                return LastError.InvalidHandle(What);
            }
            if (staged == null)
            {
                return LastError.NullPointer("staged");
            }
            if (keep is not (0 or 1))
            {
                return LastError.InvalidArgument($"keep must be 0 or 1, got {keep}");
            }
            *staged = index.CommitStaged(keep == 1);
            return Status.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    private static int AddDocuments(ulong handle, byte* text, long textLength, long* docStarts, long count, long* tokenOffsets, long tokenCount,
        byte* ids, long idsLength, long* idOffsets, long* keys, bool publish)
    {
        try
        {
            if (!HandleTable.TryGet(handle, HandleKind.Bm25Index, out Bm25Index index))
            {
                return LastError.InvalidHandle(What);
            }
            if (count < 0 || count >= int.MaxValue || textLength < 0 || textLength > int.MaxValue || idsLength < 0 || idsLength > int.MaxValue
                || tokenCount < 0 || tokenCount >= int.MaxValue)
            {
                return LastError.InvalidArgument("count, lengths and token_count must be between 0 and 2^31 - 2");
            }
            if (docStarts == null || idOffsets == null || (keys == null && count > 0))
            {
                return LastError.NullPointer(docStarts == null ? "doc_starts" : idOffsets == null ? "id_offsets" : "keys");
            }
            if ((text == null && textLength > 0) || (ids == null && idsLength > 0))
            {
                return LastError.NullPointer(text == null ? "text" : "ids");
            }
            ReadOnlySpan<long> tokens = tokenOffsets == null ? default : new ReadOnlySpan<long>(tokenOffsets, (int)tokenCount + 1);
            index.Add(new ReadOnlySpan<byte>(text, (int)textLength), new ReadOnlySpan<long>(docStarts, (int)count + 1), tokens,
                new ReadOnlySpan<byte>(ids, (int)idsLength), new ReadOnlySpan<long>(idOffsets, (int)count + 1),
                new ReadOnlySpan<long>(keys, (int)count), publish);
            return Status.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    /// <summary><c>int32_t rk_bm25_remove(uint64_t handle, const int64_t* keys, int64_t count,
    /// int64_t* removed)</c>: removes the documents with these keys (all or nothing).
    /// Status: RK_OK, RK_NOT_FOUND (a key is unknown; nothing removed), RK_NULL_POINTER,
    /// RK_INVALID_ARGUMENT, RK_INVALID_HANDLE.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_bm25_remove", CallConvs = [typeof(CallConvCdecl)])]
    public static int Remove(ulong handle, long* keys, long count, long* removed)
    {
        try
        {
            if (!HandleTable.TryGet(handle, HandleKind.Bm25Index, out Bm25Index index))
            {
                return LastError.InvalidHandle(What);
            }
            if (removed == null || (keys == null && count > 0))
            {
                return LastError.NullPointer(removed == null ? "removed" : "keys");
            }
            if (count < 0 || count > int.MaxValue)
            {
                return LastError.InvalidArgument($"count must be between 0 and {int.MaxValue}, got {count}");
            }
            *removed = index.Remove(new ReadOnlySpan<long>(keys, (int)count));
            return Status.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    /// <summary>
    /// <c>int32_t rk_bm25_search(uint64_t handle, const uint8_t* text, int64_t text_length,
    /// const int64_t* token_offsets, int64_t token_count, int64_t k, int64_t* docs, double* scores,
    /// int64_t* keys, int64_t* found)</c>: the top k documents (score &gt; 0, best first, ties in
    /// insertion order) as document numbers, scores and keys (keys may be NULL) in caller buffers
    /// of k entries; *found = how many. Status: RK_OK, RK_NULL_POINTER, RK_INVALID_ARGUMENT,
    /// RK_INVALID_UTF8, RK_INVALID_HANDLE.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_bm25_search", CallConvs = [typeof(CallConvCdecl)])]
    public static int Search(ulong handle, byte* text, long textLength, long* tokenOffsets, long tokenCount, long k,
        long* docs, double* scores, long* keys, long* found)
    {
        int[]? rented = null;
        try
        {
            if (!HandleTable.TryGet(handle, HandleKind.Bm25Index, out Bm25Index index))
            {
                return LastError.InvalidHandle(What);
            }
            if (found == null || ((docs == null || scores == null) && k > 0))
            {
                return LastError.NullPointer(found == null ? "found" : docs == null ? "docs" : "scores");
            }
            if (k < 0 || k > int.MaxValue)
            {
                return LastError.InvalidArgument($"k must be between 0 and {int.MaxValue}, got {k}");
            }
            int status = MakeQuery(text, textLength, tokenOffsets, tokenCount, out Bm25Search.Query query);
            if (status != Status.Ok)
            {
                return status;
            }
            Bm25Search.Validate(query);
            Bm25Snapshot snapshot = index.Current;
            int capacity = (int)Math.Min(k, snapshot.Count);
            Span<int> numbers = capacity <= 256 ? stackalloc int[capacity] : (rented = ArrayPool<int>.Shared.Rent(capacity));
            int n = Bm25Search.Search(snapshot, query, capacity, numbers, new Span<double>(scores, capacity));
            Bm25Document[] documents = snapshot.Documents;
            for (int i = 0; i < n; i++)
            {
                docs[i] = numbers[i];
                if (keys != null)
                {
                    keys[i] = documents[numbers[i]].Key;
                }
            }
            *found = n;
            return Status.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
        finally
        {
            if (rented != null)
            {
                ArrayPool<int>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// <c>int32_t rk_bm25_search_many(uint64_t handle, const uint8_t* text, int64_t text_length,
    /// const int64_t* query_starts, int64_t count, const int64_t* token_offsets, int64_t token_count,
    /// int64_t k, int32_t threads, int64_t* docs, double* scores)</c>: count queries on one snapshot,
    /// spread over threads threads (0 = all cores), into row-major (count, k) arrays; a row's unused
    /// places hold document -1 and score 0. Query q is text[query_starts[q] .. query_starts[q + 1]],
    /// or with token_offsets, tokens query_starts[q] .. query_starts[q + 1]. Status: RK_OK,
    /// RK_NULL_POINTER, RK_INVALID_ARGUMENT, RK_INVALID_UTF8, RK_INVALID_HANDLE.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_bm25_search_many", CallConvs = [typeof(CallConvCdecl)])]
    public static int SearchMany(ulong handle, byte* text, long textLength, long* queryStarts, long count, long* tokenOffsets, long tokenCount,
        long k, int threads, long* docs, double* scores)
    {
        try
        {
            if (!HandleTable.TryGet(handle, HandleKind.Bm25Index, out Bm25Index index))
            {
                return LastError.InvalidHandle(What);
            }
            if (textLength < 0 || textLength > int.MaxValue || tokenCount < 0 || tokenCount >= int.MaxValue)
            {
                return LastError.InvalidArgument("count, k, lengths, token_count or threads out of range");
            }
            if (queryStarts == null || (text == null && textLength > 0))
            {
                return LastError.NullPointer(queryStarts == null ? "query_starts" : "text");
            }
            int status = CheckMany(count, k, threads, docs, scores);
            if (status != Status.Ok)
            {
                return status;
            }
            var starts = new ReadOnlySpan<long>(queryStarts, (int)count + 1);
            if (tokenOffsets == null)
            {
                Bm25RangesCheck(starts, textLength, "query offsets");
            }
            else
            {
                Bm25RangesCheck(starts, tokenCount, "query token ranges");
                Bm25RangesCheck(new ReadOnlySpan<long>(tokenOffsets, (int)tokenCount + 1), textLength, "token offsets");
            }
            Bm25Search.SearchMany(index.Current, new Bm25Search.PackedQueries(text, textLength, queryStarts, tokenOffsets, tokenCount),
                (int)count, (int)k, threads, docs, scores);
            return Status.Ok;
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            return Fail(e.InnerExceptions[0]);
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    /// <summary>
    /// <c>int32_t rk_bm25_search_many_spans(uint64_t handle, const rk_span* queries, int64_t count,
    /// int64_t k, int32_t threads, int64_t* docs, double* scores)</c>: rk_bm25_search_many over one
    /// rk_span (UTF-8 text) per query, so a caller whose queries lie apart passes them without
    /// joining them first. Status: as rk_bm25_search_many (RK_INVALID_ARGUMENT also for a query
    /// length outside 0..2^31-1, RK_NULL_POINTER for NULL data with a length).
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_bm25_search_many_spans", CallConvs = [typeof(CallConvCdecl)])]
    public static int SearchManySpans(ulong handle, RkSpan* queries, long count, long k, int threads, long* docs, double* scores)
    {
        try
        {
            if (!HandleTable.TryGet(handle, HandleKind.Bm25Index, out Bm25Index index))
            {
                return LastError.InvalidHandle(What);
            }
            int status = CheckMany(count, k, threads, docs, scores);
            if (status == Status.Ok)
            {
                status = TextArguments.Spans(queries, count, "queries");
            }
            if (status != Status.Ok)
            {
                return status;
            }
            Bm25Search.SearchMany(index.Current, new SpanQueries(queries), (int)count, (int)k, threads, docs, scores);
            return Status.Ok;
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            return Fail(e.InnerExceptions[0]);
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    /// <summary>The checks both search_many exports make of count, k, threads and the outputs.</summary>
    private static int CheckMany(long count, long k, int threads, long* docs, double* scores)
    {
        if (count < 0 || count >= int.MaxValue || k < 0 || k > int.MaxValue || count * k > int.MaxValue * 8L || threads < 0)
        {
            return LastError.InvalidArgument("count, k, lengths, token_count or threads out of range");
        }
        if ((docs == null || scores == null) && count * k > 0)
        {
            return LastError.NullPointer(docs == null ? "docs" : "scores");
        }
        return Status.Ok;
    }

    /// <summary>Query q of rk_bm25_search_many_spans: queries[q]'s text (checked by TextArguments.Spans).</summary>
    private readonly struct SpanQueries(RkSpan* queries) : Bm25Search.IQueries
    {
        public Bm25Search.Query At(int q) => new(new ReadOnlySpan<byte>(queries[q].Data, (int)queries[q].Length), default);
    }

    /// <summary><c>int32_t rk_bm25_get_scores(uint64_t handle, const uint8_t* text, int64_t text_length,
    /// const int64_t* token_offsets, int64_t token_count, double* scores, int64_t capacity, int64_t* count)</c>:
    /// every document's score, by document number. *count = number of documents; RK_BUFFER_TOO_SMALL
    /// (nothing written) when capacity &lt; *count. Status also: RK_OK, RK_NULL_POINTER,
    /// RK_INVALID_ARGUMENT, RK_INVALID_UTF8, RK_INVALID_HANDLE.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_bm25_get_scores", CallConvs = [typeof(CallConvCdecl)])]
    public static int GetScores(ulong handle, byte* text, long textLength, long* tokenOffsets, long tokenCount, double* scores, long capacity, long* count)
    {
        try
        {
            if (!HandleTable.TryGet(handle, HandleKind.Bm25Index, out Bm25Index index))
            {
                return LastError.InvalidHandle(What);
            }
            if (count == null)
            {
                return LastError.NullPointer("count");
            }
            int status = MakeQuery(text, textLength, tokenOffsets, tokenCount, out Bm25Search.Query query);
            if (status != Status.Ok)
            {
                return status;
            }
            Bm25Search.Validate(query);
            Bm25Snapshot snapshot = index.Current;
            *count = snapshot.Count;
            if (capacity < snapshot.Count)
            {
                return LastError.Set(Status.BufferTooSmall, $"scores needs {snapshot.Count} entries, got {capacity}");
            }
            if (scores == null && snapshot.Count > 0)
            {
                return LastError.NullPointer("scores");
            }
            Bm25Search.Scores(snapshot, query, new Span<double>(scores, snapshot.Count));
            return Status.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    /// <summary><c>int32_t rk_bm25_len(uint64_t handle, int64_t* count)</c>: number of documents.
    /// Status: RK_OK, RK_NULL_POINTER, RK_INVALID_HANDLE.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_bm25_len", CallConvs = [typeof(CallConvCdecl)])]
    public static int Len(ulong handle, long* count)
    {
        try
        {
            if (count == null)
            {
                return LastError.NullPointer("count");
            }
            if (!HandleTable.TryGet(handle, HandleKind.Bm25Index, out Bm25Index index))
            {
                return LastError.InvalidHandle(What);
            }
            *count = index.Current.Count;
            return Status.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    /// <summary><c>int32_t rk_bm25_memory(uint64_t handle, int64_t* bytes)</c>: approximate bytes the
    /// current snapshot holds. Status: RK_OK, RK_NULL_POINTER, RK_INVALID_HANDLE.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_bm25_memory", CallConvs = [typeof(CallConvCdecl)])]
    public static int Memory(ulong handle, long* bytes)
    {
        try
        {
            if (bytes == null)
            {
                return LastError.NullPointer("bytes");
            }
            if (!HandleTable.TryGet(handle, HandleKind.Bm25Index, out Bm25Index index))
            {
                return LastError.InvalidHandle(What);
            }
            *bytes = index.Current.MemoryBytes();
            return Status.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    /// <summary><c>int32_t rk_bm25_info(uint64_t handle, int32_t* method, double* params, int32_t* tokenizer,
    /// int32_t* stopwords, int64_t* next_key)</c>: the index's settings; params receives k1, b, delta,
    /// epsilon. Status: RK_OK, RK_NULL_POINTER, RK_INVALID_HANDLE.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_bm25_info", CallConvs = [typeof(CallConvCdecl)])]
    public static int Info(ulong handle, int* method, double* parameters, int* tokenizer, int* stopwords, long* nextKey)
    {
        try
        {
            if (method == null || parameters == null || tokenizer == null || stopwords == null || nextKey == null)
            {
                return LastError.NullPointer("method, params, tokenizer, stopwords and next_key");
            }
            if (!HandleTable.TryGet(handle, HandleKind.Bm25Index, out Bm25Index index))
            {
                return LastError.InvalidHandle(What);
            }
            Bm25Scoring s = index.Scoring;
            *method = (int)s.Method;
            parameters[0] = s.K1;
            parameters[1] = s.B;
            parameters[2] = s.Delta;
            parameters[3] = s.Epsilon;
            *tokenizer = (int)index.Tokenizer;
            *stopwords = index.StopWords ? 1 : 0;
            *nextKey = index.NextKey;
            return Status.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    /// <summary><c>int32_t rk_bm25_ids(uint64_t handle, int64_t* keys, int64_t capacity, uint8_t* ids,
    /// int64_t ids_capacity, int64_t* id_offsets, int64_t* count, int64_t* ids_length)</c>: every
    /// document's key and id bytes, by document number; id_offsets gets count + 1 entries. *count and
    /// *ids_length report the sizes; RK_BUFFER_TOO_SMALL (nothing written) when capacity or
    /// ids_capacity is smaller. Status also: RK_OK, RK_NULL_POINTER, RK_INVALID_HANDLE.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_bm25_ids", CallConvs = [typeof(CallConvCdecl)])]
    public static int Ids(ulong handle, long* keys, long capacity, byte* ids, long idsCapacity, long* idOffsets, long* count, long* idsLength)
    {
        try
        {
            if (count == null || idsLength == null)
            {
                return LastError.NullPointer(count == null ? "count" : "ids_length");
            }
            if (!HandleTable.TryGet(handle, HandleKind.Bm25Index, out Bm25Index index))
            {
                return LastError.InvalidHandle(What);
            }
            Bm25Document[] documents = index.Current.Documents;
            long total = 0;
            foreach (Bm25Document doc in documents)
            {
                total += doc.Id.Length;
            }
            *count = documents.Length;
            *idsLength = total;
            if (capacity < documents.Length || idsCapacity < total)
            {
                return LastError.Set(Status.BufferTooSmall, $"ids need {documents.Length} keys and {total} bytes");
            }
            if (idOffsets == null || (documents.Length > 0 && keys == null) || (total > 0 && ids == null))
            {
                return LastError.NullPointer(idOffsets == null ? "id_offsets" : keys == null ? "keys" : "ids");
            }
            long at = 0;
            for (int i = 0; i < documents.Length; i++)
            {
                keys[i] = documents[i].Key;
                idOffsets[i] = at;
                documents[i].Id.CopyTo(new Span<byte>(ids + at, documents[i].Id.Length));
                at += documents[i].Id.Length;
            }
            idOffsets[documents.Length] = at;
            return Status.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    /// <summary><c>int32_t rk_bm25_save(uint64_t handle, const uint8_t* path, int64_t path_length)</c>:
    /// writes the current snapshot to the UTF-8 path atomically (temporary file, flushed, renamed).
    /// Status: RK_OK, RK_NULL_POINTER, RK_INVALID_UTF8, RK_IO, RK_INVALID_HANDLE.</summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_bm25_save", CallConvs = [typeof(CallConvCdecl)])]
    public static int Save(ulong handle, byte* path, long pathLength)
    {
        try
        {
            if (!HandleTable.TryGet(handle, HandleKind.Bm25Index, out Bm25Index index))
            {
                return LastError.InvalidHandle(What);
            }
            int status = ReadPath(path, pathLength, out string file);
            if (status != Status.Ok)
            {
                return status;
            }
            Bm25File.Save(index, file);
            return Status.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    /// <summary><c>int32_t rk_bm25_load(const uint8_t* path, int64_t path_length, uint64_t* handle)</c>:
    /// reads an index file into a new handle (free with rk_bm25_free). Status: RK_OK, RK_NULL_POINTER,
    /// RK_INVALID_UTF8, RK_IO (cannot read), RK_FORMAT (foreign, truncated or corrupt file).</summary>
    [UnmanagedCallersOnly(EntryPoint = "rk_bm25_load", CallConvs = [typeof(CallConvCdecl)])]
    public static int Load(byte* path, long pathLength, ulong* handle)
    {
        try
        {
            if (handle == null)
            {
                return LastError.NullPointer("handle");
            }
            int status = ReadPath(path, pathLength, out string file);
            if (status != Status.Ok)
            {
                return status;
            }
            *handle = HandleTable.Add(HandleKind.Bm25Index, Bm25File.Load(file));
            return Status.Ok;
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    private static int ReadPath(byte* path, long length, out string file)
    {
        file = "";
        if (path == null)
        {
            return LastError.NullPointer("path");
        }
        if (length <= 0 || length > 65536)
        {
            return LastError.InvalidArgument($"path length must be between 1 and 65536, got {length}");
        }
        var bytes = new ReadOnlySpan<byte>(path, (int)length);
        if (!Utf8.IsValid(bytes))
        {
            return LastError.Set(Status.InvalidUtf8, "path is not valid UTF-8");
        }
        file = Encoding.UTF8.GetString(bytes);
        return Status.Ok;
    }

    private static int MakeQuery(byte* text, long textLength, long* tokenOffsets, long tokenCount, out Bm25Search.Query query)
    {
        query = default;
        if (textLength < 0 || textLength > int.MaxValue || tokenCount < 0 || tokenCount >= int.MaxValue)
        {
            return LastError.InvalidArgument("text_length and token_count must be between 0 and 2^31 - 2");
        }
        if (text == null && textLength > 0)
        {
            return LastError.NullPointer("text");
        }
        query = new Bm25Search.Query(new ReadOnlySpan<byte>(text, (int)textLength),
            tokenOffsets == null ? default : new ReadOnlySpan<long>(tokenOffsets, (int)tokenCount + 1));
        return Status.Ok;
    }

    private static void Bm25RangesCheck(ReadOnlySpan<long> offsets, long limit, string what)
    {
        long previous = 0;
        foreach (long offset in offsets)
        {
            if (offset < previous || offset > limit)
            {
                throw new ArgumentException($"{what} must be non-decreasing and within 0..{limit}, got {offset}");
            }
            previous = offset;
        }
    }

    private static int Fail(Exception e) =>
        e is Bm25InvalidUtf8Exception ? LastError.Set(Status.InvalidUtf8, e.Message) : LastError.FromException(e);
}
