using Tower.Scripting;

namespace Tower.Unit.Tests;

/// <summary>
/// Code a hostile admin would save, by class of escape (spec §5: the allowlist of types and
/// members). Each case must be refused at save time, naming what it uses.
/// </summary>
public class SandboxHostileCorpusTests
{
    /// <summary>Memory outside the script's own objects: raw offsets, pointers in disguise, marshalling.</summary>
    public static TheoryData<string, string> MemoryAccess => new()
    {
        { "var a = new int[4]; var v = System.Numerics.Vector.LoadUnsafe(ref a[0], (nuint)64);", "System.Numerics.Vector" },
        { "var a = new float[2]; System.Numerics.Vector.StoreUnsafe(new System.Numerics.Vector<float>(1f), ref a[0], 100);", "System.Numerics.Vector" },
        { "var a = new float[1]; var v = System.Numerics.Vector2.LoadUnsafe(ref a[0]);", "System.Numerics.Vector2" },
        { "var a = new float[1]; var v = System.Numerics.Vector4.LoadUnsafe(ref a[0], 8);", "System.Numerics.Vector4" },
        { "var v = new System.Numerics.Vector3(1, 2, 3);", "System.Numerics.Vector3" },
        { "nint p = 0; result.message = (p + 8).ToString();", "nint" },
        { "nuint offset = 16; result.message = offset.ToString();", "nuint" },
        { "var p = IntPtr.Zero;", "nint" },
        { "var a = new byte[4]; ref var r = ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(a);", "System.Runtime.InteropServices.MemoryMarshal" },
        { "var s = System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref payload, 1000);", "System.Runtime.InteropServices.MemoryMarshal" },
        { "var l = new List<int>(); var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(l);", "System.Runtime.InteropServices.CollectionsMarshal" },
        { "var a = new int[1]; ref var x = ref System.Runtime.CompilerServices.Unsafe.Add(ref a[0], 100);", "System.Runtime.CompilerServices.Unsafe" },
        { "var h = System.Runtime.InteropServices.GCHandle.Alloc(new object());", "System.Runtime.InteropServices.GCHandle" },
        { "var a = new byte[8]; var l = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(a);", "System.Buffers.Binary.BinaryPrimitives" },
        { "var pool = System.Buffers.ArrayPool<byte>.Shared.Rent(10);", "System.Buffers.ArrayPool" },
        { "var a = new byte[4]; var m = new Memory<byte>(a); var handle = m.Pin();", "System.Buffers.MemoryHandle" },
        { "var s = string.Create(3, 'x', (span, c) => span.Fill(c));", "System.Buffers.SpanAction" },
    };

    /// <summary>Native handles, OpenSSL by handle, engine, provider or path.</summary>
    public static TheoryData<string, string> Handles => new()
    {
        { "var rsa = new RSAOpenSsl(IntPtr.Zero);", "System.Security.Cryptography.RSAOpenSsl" },
        { "var rsa = new System.Security.Cryptography.RSAOpenSsl(new SafeEvpPKeyHandle());", "System.Security.Cryptography.RSAOpenSsl" },
        { "var d = new DSAOpenSsl(IntPtr.Zero);", "System.Security.Cryptography.DSAOpenSsl" },
        { "var e = new ECDsaOpenSsl(IntPtr.Zero);", "System.Security.Cryptography.ECDsaOpenSsl" },
        { "var e = new ECDiffieHellmanOpenSsl(IntPtr.Zero);", "System.Security.Cryptography.ECDiffieHellmanOpenSsl" },
        { "var h = new SafeEvpPKeyHandle(IntPtr.Zero, false);", "System.Security.Cryptography.SafeEvpPKeyHandle" },
        { "var h = SafeEvpPKeyHandle.OpenKeyFromProvider(\"default\", \"/etc/passwd\");", "System.Security.Cryptography.SafeEvpPKeyHandle" },
        { "var h = SafeEvpPKeyHandle.OpenPrivateKeyFromEngine(\"dynamic\", \"/tmp/evil.so\");", "System.Security.Cryptography.SafeEvpPKeyHandle" },
        { "var f = new Microsoft.Win32.SafeHandles.SafeFileHandle(IntPtr.Zero, true);", "Microsoft.Win32.SafeHandles.SafeFileHandle" },
        { "var c = new System.Security.Cryptography.X509Certificates.X509Certificate2(\"/etc/ssl/cert.pem\");", "X509Certificate2" },
        { "var rsa = RSA.Create(); var p = rsa.ExportParameters(true); var k = new CspParameters();", "System.Security.Cryptography.CspParameters" },
    };

    /// <summary>Types or members named by a string.</summary>
    public static TheoryData<string, string> ByName => new()
    {
        { "var o = CryptoConfig.CreateFromName(\"System.Text.StringBuilder\");", "System.Security.Cryptography.CryptoConfig" },
        { "var h = HashAlgorithm.Create(\"SHA256\");", "System.Security.Cryptography.HashAlgorithm.Create(string)" },
        { "var h = RSA.Create(\"RSA\");", "System.Security.Cryptography.RSA.Create(string)" },
        { "var a = Aes.Create(\"AES\");", "System.Security.Cryptography.Aes.Create(string)" },
        { "var k = KeyedHashAlgorithm.Create(\"HMACSHA256\");", "System.Security.Cryptography.KeyedHashAlgorithm.Create(string)" },
        { "var r = RandomNumberGenerator.Create(\"x\");", "System.Security.Cryptography.RandomNumberGenerator.Create(string)" },
        { "var t = Type.GetType(\"System.IO.File\");", "System.Type" },
        { "var o = JsonSerializer.Deserialize(\"{}\", typeof(object));", "System.Type" },
        { "var o = Activator.CreateInstance(\"System.Private.CoreLib\", \"System.IO.File\");", "System.Activator" },
        { "enum E { A } var e = Enum.Parse(typeof(E), \"A\");", "System.Type" },
        { "var o = new JsonSerializerOptions(); var i = o.GetTypeInfo(typeof(string));", "JsonSerializerOptions.GetTypeInfo" },
        { "var o = new JsonSerializerOptions(); o.TypeInfoResolver = null;", "System.Text.Json.Serialization.Metadata.IJsonTypeInfoResolver" },
        { "var o = new JsonSerializerOptions(); var c = o.TypeInfoResolverChain;", "System.Text.Json.Serialization.Metadata.IJsonTypeInfoResolver" },
        { "var n = nameof(System.IO.File);", "System.IO.File" },
    };

    /// <summary>Work that runs beside or after the call: threads, PLINQ, continuations, timers, async void.</summary>
    public static TheoryData<string, string> Concurrency => new()
    {
        { "var n = Enumerable.Range(0, 100).AsParallel().Select(x => x * 2).Sum();", "System.Linq.ParallelEnumerable" },
        { "var n = ParallelEnumerable.Range(0, 100).Sum();", "System.Linq.ParallelEnumerable" },
        { "Task.Run(() => { });", "System.Threading.Tasks.Task.Run" },
        { "Task.Factory.StartNew(() => { });", "System.Threading.Tasks.TaskFactory" },
        { "Task.Delay(10).ContinueWith(t => log.info(\"late\"));", "System.Threading.Tasks.Task.ContinueWith" },
        { "Task.FromResult(1).ContinueWith(t => log.info(\"late\"));", "System.Threading.Tasks.Task<TResult>.ContinueWith" },
        { "var t = new Task(() => { }); t.Start();", "System.Threading.Tasks.Task..ctor" },
        { "async void Later() { await Task.Delay(10); throw new Exception(); } Later();", "async void" },
        { "Action a = async () => { await Task.Delay(10); }; a();", "async void" },
        { "class C { public async void M() { await Task.Yield(); } }", "async void" },
        { "var timer = new System.Threading.Timer(_ => { }, null, 0, 10);", "System.Threading.Timer" },
        { "var timer = new System.Timers.Timer(10);", "System.Timers.Timer" },
        { "new System.Threading.Thread(() => { }).Start();", "System.Threading.Thread" },
        { "System.Threading.ThreadPool.UnsafeQueueUserWorkItem(_ => { }, null);", "System.Threading.ThreadPool" },
        { "System.Threading.CancellationToken.None.Register(() => { });", "System.Threading.CancellationToken.Register" },
        { "var cts = new System.Threading.CancellationTokenSource(100);", "System.Threading.CancellationTokenSource" },
        { "Task.Delay(100).GetAwaiter().OnCompleted(() => log.info(\"late\"));", "System.Runtime.CompilerServices.TaskAwaiter" },
        { "Task.Yield().GetAwaiter().OnCompleted(() => log.info(\"late\"));", "YieldAwaitable.YieldAwaiter.OnCompleted" },
        { "Task.Delay(100).ConfigureAwait(false).GetAwaiter().OnCompleted(() => log.info(\"late\"));", "ConfiguredTaskAwaitable.ConfiguredTaskAwaiter.OnCompleted" },
        { "Func<int> f = () => 1; var r = f.BeginInvoke(null, null);", "BeginInvoke" },
        { "var tcs = new TaskCompletionSource<int>();", "System.Threading.Tasks.TaskCompletionSource" },
        { "await Parallel.ForEachAsync(new[] { 1, 2 }, async (x, ct) => await Task.Yield());", "System.Threading.Tasks.Parallel" },
        { "var l = new Lazy<int>(() => 1, System.Threading.LazyThreadSafetyMode.PublicationOnly);", "System.Threading.LazyThreadSafetyMode" },
    };

    /// <summary>State that outlives the call: finalizers and static state in the script's own types.</summary>
    public static TheoryData<string, string> OutlivingState => new()
    {
        { "class Leak { ~Leak() { } }", "finalizer" },
        { "static int calls = 0; calls++;", "static field 'calls'" },
        { "class Cache { public static readonly List<string> Seen = new(); } Cache.Seen.Add(secrets[\"s\"]);", "static field 'Seen'" },
        { "class Cache { public static string Last { get; set; } = \"\"; }", "static property 'Last'" },
        { "class Cache { static string last; }", "static field 'last'" },
        { "class Bus { public static event Action? Fired; }", "static field 'Fired'" },
    };

    /// <summary>Process-wide state that another webhook's calls in the same worker would see.</summary>
    public static TheoryData<string, string> ProcessState => new()
    {
        { "Encoding.RegisterProvider(null!);", "System.Text.Encoding.RegisterProvider" },
        { "CultureInfo.DefaultThreadCurrentCulture = new CultureInfo(\"de-DE\");", "System.Globalization.CultureInfo.DefaultThreadCurrentCulture" },
        { "CultureInfo.CurrentCulture = new CultureInfo(\"de-DE\");", "System.Globalization.CultureInfo.CurrentCulture" },
        { "CultureInfo.CurrentCulture.ClearCachedData();", "System.Globalization.CultureInfo.ClearCachedData" },
        { "CultureInfo.CurrentCulture.NumberFormat.NumberDecimalSeparator = \",\";", "System.Globalization.NumberFormatInfo.NumberDecimalSeparator" },
        { "var n = new NumberFormatInfo { NumberDecimalSeparator = \",\" };", "System.Globalization.NumberFormatInfo.NumberDecimalSeparator" },
        { "Regex.CacheSize = 0;", "System.Text.RegularExpressions.Regex.CacheSize" },
        { "AppContext.SetSwitch(\"System.Globalization.Invariant\", true);", "System.AppContext" },
        { "GC.Collect();", "System.GC" },
        { "Console.SetOut(null!);", "System.Console" },
        { "Environment.CurrentDirectory = \"/\";", "System.Environment" },
        { "var s = string.Intern(\"x\");", "System.String.Intern" },
        { "Encoding.UTF8.EncoderFallback = EncoderFallback.ExceptionFallback;", "System.Text.Encoding.EncoderFallback" },
    };

    /// <summary>Constructs that compile as written but could never run with their guards, or that compile expression trees.</summary>
    public static TheoryData<string, string> NeverRuns => new()
    {
        { "var q = new[] { 1, 2 }.AsQueryable().Where(x => x > 1).ToList();", "System.Linq.Queryable" },
        { "System.Linq.Expressions.Expression<Func<int, int>> e = x => x + 1;", "System.Linq.Expressions.Expression" },
    };

    [Theory]
    [MemberData(nameof(MemoryAccess))]
    [MemberData(nameof(Handles))]
    [MemberData(nameof(ByName))]
    [MemberData(nameof(Concurrency))]
    [MemberData(nameof(OutlivingState))]
    [MemberData(nameof(ProcessState))]
    [MemberData(nameof(NeverRuns))]
    public void Hostile_code_is_refused_at_save_naming_what_it_uses(string code, string named)
    {
        var refusals = ScriptCompiler.Validate(ScriptKind.Webhook, code);

        Assert.True(refusals.Any(refusal => refusal.Message.Contains(named, StringComparison.Ordinal)),
            $"No refusal names {named}: {string.Join(" | ", refusals)}");
    }

    [Theory]
    [MemberData(nameof(MemoryAccess))]
    [MemberData(nameof(Concurrency))]
    [MemberData(nameof(OutlivingState))]
    [MemberData(nameof(ProcessState))]
    public void Hostile_code_is_refused_again_by_the_service_that_would_run_it(string code, string named)
    {
        var compiled = new ScriptCompiler().Compile(ScriptKind.Webhook, code);

        Assert.Null(compiled.Image);
        Assert.Contains(compiled.Errors, error => error.Message.Contains(named, StringComparison.Ordinal));
    }

    [Fact]
    public void Refusals_point_at_the_line_and_column_of_what_they_name()
    {
        var refusal = Assert.Single(ScriptCompiler.Validate(ScriptKind.Webhook, "var a = new int[4];\nvar v = System.Numerics.Vector.LoadUnsafe(ref a[0], 64);"),
            r => r.Message.Contains("LoadUnsafe", StringComparison.Ordinal));

        Assert.Equal(2, refusal.Line);
        Assert.Equal(9, refusal.Column);
    }
}
