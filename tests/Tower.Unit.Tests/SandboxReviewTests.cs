using Tower.Contracts.Scripts;
using Tower.Scripting;

namespace Tower.Unit.Tests;

/// <summary>
/// A review of the allowlist as an attacker and as a webhook author (holes it found, and common
/// code it wrongly refused): each hole is refused or contained, each common construct saves.
/// </summary>
public sealed class SandboxReviewTests(WorkerPoolFixture workers) : IClassFixture<WorkerPoolFixture>
{
    /// <summary>Writes through deconstruction, static state through <c>field</c> and static constructors, blocking.</summary>
    public static TheoryData<string, string> Holes => new()
    {
        { "deconstruct-static-default-culture", "(CultureInfo.DefaultThreadCurrentCulture, _) = (CultureInfo.InvariantCulture, 0);" },
        { "deconstruct-static-regex-cache", "(Regex.CacheSize, _) = (0, 0);" },
        { "deconstruct-static-current-culture", "(CultureInfo.CurrentCulture, _) = (CultureInfo.InvariantCulture, 0);" },
        { "deconstruct-readonly-type-setter", "var c = new CultureInfo(\"\"); (c.NumberFormat.NumberDecimalSeparator, _) = (\"#\", 0);" },
        { "foreach-deconstruct-static", "int y; foreach ((Regex.CacheSize, y) in new[] { (1, 2) }) { }" },
        { "null-conditional-assign-readonly-type", "var c = new CultureInfo(\"\"); c.NumberFormat?.NumberDecimalSeparator = \"#\";" },
        { "null-conditional-assign-shared", "CultureInfo.InvariantCulture?.NumberFormat?.NumberDecimalSeparator = \"#\";" },
        { "static-field-keyword", "class K { public static int P { get => field; set => field = value; } } K.P++; result.message = K.P.ToString();" },
        { "static-field-keyword-block", "class K { public static string S { get { return field; } set { field = value; } } } K.S ??= secrets[\"s\"];" },
        { "static-field-keyword-lazy", "class K { public static List<string> Seen => field ??= new(); } K.Seen.Add(raw_data);" },
        { "static-constructor", "class C1 { public static int Touch() => 1; static C1() { } } C1.Touch();" },
        { "task-result-blocks", "async Task<int> F() { await Task.Delay(10); return 1; } result.message = F().Result.ToString();" },
        { "derive-from-shared-culture", "class Evil() : CultureInfo(\"\") { } var e = new Evil();" },
        { "too-deep", string.Concat(Enumerable.Repeat("new List<object> { ", 300)) + string.Concat(Enumerable.Repeat("}", 300)) + ";" },
        { "too-long", "var s = \"" + new string('x', 100_001) + "\";" },
    };

    [Theory]
    [MemberData(nameof(Holes))]
    public void Holes_found_in_review_are_refused_at_save(string id, string code)
    {
        Assert.True(ScriptCompiler.Validate(ScriptKind.Webhook, code).Count > 0, $"[{id}] saved");
    }

    /// <summary>Code a webhook author plausibly writes.</summary>
    public static TheoryData<string, string> Common => new()
    {
        { "string.Create-invariant-interpolation", "result.message = string.Create(CultureInfo.InvariantCulture, $\"{1.5}|{DateTime.UnixEpoch:O}\");" },
        { "catch-TaskCanceledException", "try { var r = await http.get(\"https://example.com\"); } catch (TaskCanceledException) { log.error(\"timeout\"); }" },
        { "JsonStringEnumConverter", "enum Kind { A, B } var o = new JsonSerializerOptions(); o.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()); result.message = JsonSerializer.Serialize(Kind.B, o);" },
        { "JsonPropertyName-attribute", "record Order([property: System.Text.Json.Serialization.JsonPropertyName(\"order_id\")] int Id); var o = JsonSerializer.Deserialize<Order>(\"{\\\"order_id\\\":1}\");" },
        { "Environment.NewLine", "result.message = \"a\" + Environment.NewLine + \"b\";" },
        { "Tuple.Create-string", "var t = Tuple.Create(\"x\"); var v = ValueTuple.Create(\"y\"); result.message = t.Item1 + v.Item1;" },
        { "await-foreach-async-iterator", "async IAsyncEnumerable<int> Gen() { for (var i = 0; i < 3; i++) { await Task.Yield(); yield return i; } } var sum = 0; await foreach (var x in Gen()) sum += x; result.message = sum.ToString();" },
        { "Task.WhenEach", "var tasks = new[] { Task.FromResult(1), Task.FromResult(2) }; var n = 0; await foreach (var t in Task.WhenEach(tasks)) n += await t; result.message = n.ToString();" },
        { "JsonDocument-using-EnumerateObject", "void Body() { using var doc = JsonDocument.Parse(raw_data); foreach (var p in doc.RootElement.EnumerateObject()) log.info(p.Name); } Body();" },
        { "JsonElement-TryGetProperty", "var el = JsonSerializer.Deserialize<JsonElement>(raw_data); if (el.ValueKind == JsonValueKind.Object && el.TryGetProperty(\"id\", out var id)) result.message = id.GetInt32().ToString();" },
        { "JsonNode-casts-and-linq", "var ids = (payload?[\"items\"] as JsonArray)?.Select(i => (string?)i?[\"sku\"]).Where(s => s is not null).ToArray() ?? []; result.message = ((int?)payload?[\"id\"])?.ToString();" },
        { "JsonObject-foreach-deconstruct", "var o = payload!.AsObject(); foreach (var (k, v) in o) log.info($\"{k}={v}\");" },
        { "JsonNode-GetValues", "var n = JsonNode.Parse(\"[1,2]\")!.AsArray().GetValues<int>().Sum(); result.message = n.ToString();" },
        { "JsonSerializer-web-options-snake", "var s = JsonSerializer.Serialize(new { OrderId = 1 }, new JsonSerializerOptions(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull, WriteIndented = true });" },
        { "payload.Deserialize<T>", "record Order(int id); var o = payload.Deserialize<Order>(); result.message = o?.id.ToString();" },
        { "tuples-and-deconstruction", "var (a, b) = (1, \"x\"); (int Count, string Name) t = (2, \"y\"); var list = new List<(string Name, int Count)> { (\"a\", 2), (\"b\", 1) }; list.Sort((l, r) => l.Count.CompareTo(r.Count)); result.message = $\"{a}{b}{t.Count}{list[0].Name}\";" },
        { "patterns-switch-list", "var arr = new[] { 1, 2, 3 }; var m = arr is [var first, .. var rest] ? $\"{first}{rest.Length}\" : \"\"; result.message = payload?[\"id\"]?.GetValue<int>() switch { > 3 => \"big\" + m, _ => \"small\" };" },
        { "ranges-and-indices", "void Body() { var s = \"hello\"[1..^1]; var l = new List<int> { 1, 2 }[^1]; var sp = \"abc\".AsSpan()[1..]; result.message = s + l + sp.ToString(); } Body();" },
        { "records-with", "record Person(string Name, int Age) { public string Label => $\"{Name} ({Age})\"; } var p = new Person(\"a\", 1); result.message = (p with { Age = 2 }).Label;" },
        { "record-struct-and-enum", "enum Kind { A, B } readonly record struct Key(Kind K, string V); var d = new Dictionary<Key, int> { [new Key(Kind.A, \"x\")] = 1 }; result.message = d.Count.ToString() + Enum.Parse<Kind>(\"B\");" },
        { "primary-constructor-class", "class Acc(int start) { public int Total { get; private set; } = start; public void Add(int x) => Total += x; } var a = new Acc(1); a.Add(2); result.message = a.Total.ToString();" },
        { "interfaces-and-inheritance", "interface IRule { bool Match(JsonNode? n); } abstract class Base : IRule { public abstract bool Match(JsonNode? n); } class Any : Base { public override bool Match(JsonNode? n) => n is not null; } IRule r = new Any(); result.message = r.Match(payload).ToString();" },
        { "query-expression", "var q = from i in Enumerable.Range(0, 5) where i % 2 == 0 let sq = i * i orderby sq descending select sq; result.message = string.Join(\",\", q);" },
        { "linq-common", "var words = \"a bb a\".Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries); var g = words.GroupBy(w => w).ToDictionary(x => x.Key, x => x.Count()); var c = words.CountBy(w => w).Count(); var ch = words.Chunk(2).Count(); var z = words.Zip(words).Count(); result.message = $\"{g[\"a\"]}{c}{ch}{z}\";" },
        { "collection-expressions", "void Body() { int[] a = [1, 2, 3]; List<string> names = [.. a.Select(x => x.ToString())]; ReadOnlySpan<int> rs = [1, 2]; Span<int> sp = [3, 4]; result.message = names.Count + rs.Length + sp[0] + \"\"; } Body();" },
        { "utf8-literal-and-base64", "void Body() { ReadOnlySpan<byte> u = \"abc\"u8; result.message = Convert.ToBase64String(u) + Convert.ToHexString(SHA256.HashData(u)).Length; } Body();" },
        { "hmac-instance-and-incremental", "void Body() { using var h = new HMACSHA256(Encoding.UTF8.GetBytes(secrets[\"s\"])); var sig = Convert.ToHexString(h.ComputeHash(raw_body.ToArray())).ToLowerInvariant(); result.message = CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(sig), Encoding.UTF8.GetBytes(sig)).ToString(); } Body();" },
        { "rsa-verify-pem", "void Body() { using var rsa = RSA.Create(); try { rsa.ImportFromPem(\"-----BEGIN PUBLIC KEY-----\\n-----END PUBLIC KEY-----\"); } catch (ArgumentException) { } var ok = false; try { ok = rsa.VerifyData(raw_body.Span, new byte[256], HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1); } catch (CryptographicException) { } } Body();" },
        { "ecdsa-import-spki", "void Body() { using var k = ECDsa.Create(ECCurve.NamedCurves.nistP256); var spki = k.ExportSubjectPublicKeyInfo(); using var k2 = ECDsa.Create(); k2.ImportSubjectPublicKeyInfo(spki, out _); result.message = k2.KeySize.ToString(); } Body();" },
        { "aes-gcm", "void Body() { var key = new byte[32]; var nonce = new byte[12]; RandomNumberGenerator.Fill(nonce); using var gcm = new AesGcm(key, 16); var ct = new byte[3]; var tag = new byte[16]; gcm.Encrypt(nonce, new byte[3], ct, tag); result.message = ct.Length.ToString(); } Body();" },
        { "datetime-parse-format", "var dt = DateTime.ParseExact(\"2024-01-02\", \"yyyy-MM-dd\", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal); var age = DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeSeconds(long.Parse(\"0\")); result.message = $\"{dt:O} {age.TotalDays > 1} {DateOnly.FromDateTime(dt)}\";" },
        { "TimeZoneInfo-convert", "var tz = TimeZoneInfo.FindSystemTimeZoneById(\"Europe/Berlin\"); result.message = TimeZoneInfo.ConvertTimeFromUtc(DateTime.UtcNow, tz).ToString(\"HH:mm\", CultureInfo.InvariantCulture);" },
        { "Stopwatch-timing", "var sw = System.Diagnostics.Stopwatch.StartNew(); await Task.Delay(1); log.info($\"took {sw.ElapsedMilliseconds} ms\");" },
        { "regex-common", "var m = Regex.Matches(\"a1b22\", @\"\\d+\").Select(x => x.Value).ToList(); var slug = Regex.Replace(\"A b\", @\"\\s+\", \"-\", RegexOptions.None, TimeSpan.FromMilliseconds(100)).ToLowerInvariant(); var r = new Regex(@\"(?<n>\\w+)\", RegexOptions.Compiled); result.message = string.Join(\",\", m) + slug + r.Match(\"zz\").Groups[\"n\"].Value;" },
        { "string-builder-interpolation", "var sb = new StringBuilder(); sb.AppendLine($\"x={1}\"); sb.Append(CultureInfo.InvariantCulture, $\"{2.5}\"); sb.AppendJoin(',', new[] { 1, 2 }); result.message = sb.ToString();" },
        { "FormattableString.Invariant", "result.message = FormattableString.Invariant($\"{1.5}\") + string.Format(CultureInfo.InvariantCulture, \"{0:F2}\", 1.234);" },
        { "uri-and-webutility", "var u = new UriBuilder(\"https://x\") { Query = \"a=1\" }.Uri; var q = u.Query + Uri.EscapeDataString(\"a b\") + System.Net.WebUtility.UrlDecode(\"a%20b\") + System.Net.WebUtility.HtmlEncode(\"<a>\"); result.message = q;" },
        { "ip-network", "var ip = System.Net.IPAddress.Parse(\"10.1.2.3\"); var net = System.Net.IPNetwork.Parse(\"10.0.0.0/8\"); result.message = net.Contains(ip).ToString();" },
        { "memo-dictionary-local-function", "var memo = new Dictionary<int, long>(); long Fib(int n) => n < 2 ? n : memo.TryGetValue(n, out var v) ? v : memo[n] = Fib(n - 1) + Fib(n - 2); result.message = Fib(50).ToString();" },
        { "lazy-comparer-pq-sortedset", "var lazy = new Lazy<int>(() => 42); var c = Comparer<int>.Create((a, b) => b.CompareTo(a)); var ss = new SortedSet<int>(c) { 1, 3, 2 }; var pq = new PriorityQueue<string, int>(); pq.Enqueue(\"a\", 1); result.message = $\"{lazy.Value}{ss.Min}{pq.Dequeue()}\";" },
        { "http-parallel-whenall", "async Task<int> Status(int i) { await Task.Yield(); return i; } var all = await Task.WhenAll(new[] { 1, 2 }.Select(Status)); var first = await Task.WhenAny(Task.Delay(10), Task.Delay(20)); result.message = all.Sum().ToString();" },
        { "valuetask-configureawait", "async ValueTask<int> V() { await Task.Yield(); return 1; } var v = await V().ConfigureAwait(false); var t = await Task.FromResult(2).ConfigureAwait(false); result.message = (v + t).ToString();" },
        { "exception-filters-and-custom-exception", "class BadInput(string m) : Exception(m); try { throw new BadInput(\"no\"); } catch (BadInput e) when (e.Message.Length > 0) { result.exit_code = 2; result.message = e.Message; }" },
        { "generic-math", "T Max<T>(IEnumerable<T> xs) where T : System.Numerics.INumber<T> { var m = T.Zero; foreach (var x in xs) m = T.Max(m, x); return m; } result.message = Max(new[] { 1, 5, 3 }).ToString();" },
        { "lock-on-local", "var gate = new object(); var n = 0; lock (gate) { n++; } result.message = n.ToString();" },
        { "nameof-and-const", "const string Url = \"https://example.com\"; result.message = nameof(payload) + Url.Length;" },
        { "big-and-hash", "var h = HashCode.Combine(1, \"a\"); var big = System.Numerics.BigInteger.Parse(\"123456789012345678901234567890\"); var g = Guid.CreateVersion7(); result.message = (big % 7).ToString() + g.ToString().Length;" },
        { "Convert-hex-base64url", "var b = RandomNumberGenerator.GetBytes(8); result.message = Convert.ToHexStringLower(b) + System.Buffers.Text.Base64Url.EncodeToString(b) + RandomNumberGenerator.GetHexString(4);" },
        { "http-json-post", "var r = await http.post(\"https://example.com/hook\", JsonSerializer.Serialize(new { a = 1 }), headers: new Dictionary<string, string> { [\"Authorization\"] = \"Bearer \" + secrets[\"s\"] }); if (!r.ok) result.exit_code = 1; var j = r.json()?[\"x\"]?.GetValue<string>();" },
        { "ReadOnlyCollection-and-CollectionExtensions", "IReadOnlyList<int> ro = new List<int> { 1 }.AsReadOnly(); var hv = headers.GetValueOrDefault(\"x\", \"none\"); result.message = ro.Count + hv;" },
    };

    [Theory]
    [MemberData(nameof(Common))]
    public void Common_webhook_code_saves(string id, string code)
    {
        var problems = ScriptCompiler.Validate(ScriptKind.Webhook, code);

        Assert.True(problems.Count == 0, $"[{id}] {string.Join(" | ", problems)}");
    }

    /// <summary>Recursion through members whose bodies the guard now reaches: the call fails cleanly, the worker lives.</summary>
    public static TheoryData<string, string> Recursion => new()
    {
        { "operator", "class R { public static int operator +(R a, R b) => 1 + (a + b); } _ = new R() + new R();" },
        { "conversion-operator", "class Q { public static implicit operator int(Q q) => 1 + q; } int x = new Q();" },
        { "indexer-expression-body", "class I { public int this[int i] => 1 + this[i]; } _ = new I()[0];" },
        { "field-initializer", "class F { F next = new F(); public F() { } } _ = new F();" },
    };

    [Theory]
    [MemberData(nameof(Recursion))]
    public async Task Recursion_through_operators_indexers_and_initializers_fails_only_its_call(string id, string code)
    {
        var outcome = await workers.RunAsync(code);

        Assert.True(outcome.Status == ScriptRunStatus.Failed, $"[{id}] {outcome.Status}");
        Assert.Contains("recursed too deeply", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Work_started_while_the_host_reads_an_exception_text_retires_the_worker()
    {
        var startedBefore = await workers.StartedWhenSettledAsync();

        var outcome = await workers.RunAsync("""
            class E : Exception
            {
                public override string Message { get { _ = Later(); return "boom"; } }
                static async Task Later() { await Task.Delay(300); throw new InvalidOperationException("late"); }
            }
            throw new E();
            """);
        await workers.WaitForReplacementAsync(startedBefore);

        Assert.Equal(ScriptRunStatus.Failed, outcome.Status);
        Assert.Contains("boom", outcome.Error, StringComparison.Ordinal);
        Assert.Equal(startedBefore + 1, workers.Pool.ProcessesStarted);
    }
}
