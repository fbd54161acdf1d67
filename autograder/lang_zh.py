"""The zh-CN message catalog for autograder/i18n.py: MESSAGES holds a Chinese template for every key of
i18n.EN (the keys must match EN exactly, with the same format placeholders), and QUESTIONS the Chinese
question of each hidden check, keyed "part/name" (the keys must match the checks' case keys)."""

MESSAGES = {
    # parts (titles in reports)
    "part.one_hot_lookup": "用独热乘积实现查表",
    "part.embedding_backward": "带 padding_idx 和 scale_grad_by_freq 的反向传播",
    "part.embedding_renorm": "max_norm 的原地重新缩放",
    "part.embedding_module": "Embedding 模块",
    # report framing
    "report.part_points": "{part}：{score:.2f} / {max:.0f} 分",
    "report.zeroed_by": "——记零分：{why}",
    "report.pass": "通过",
    "report.fail": "未通过",
    "report.notes": "备注：",
    "report.note": "注：{note}",
    "note.more": "……另有 {n} 条备注（只列出前 {shown} 条）",
    "note.standin": "{part} 失分了；评其他部分时用的是 torch 的 `{names}` 代替你的实现，所以它们没有因此失分。若用你自己的实现，调用 `{names}` 的代码（比如你的 Embedding）会在同样的地方出错。",
    "report.cause": "可能的原因：{cause}",
    "report.as_above": "（同上）",
    "report.group": "{n} 项检查以同样的方式未通过，请先修好这一处：{symptom}",
    "report.group_dtype": "结果的 dtype 是 {got}，应为 {expected}",
    "report.not_implemented": "尚未实现（NotImplementedError）",
    # questions the grader itself asks (not a check's docstring)
    "q.submission_readable": "提交的文件能否被读取？",
    # reading the submission (every part scores zero)
    "extract.no_notebook_in_folder": "文件夹 {name}/ 中没有 notebook（.ipynb）",
    "extract.missing": "{path} 不存在",
    "extract.wrong_kind": "{name}：应为 notebook（.ipynb）、包含 notebook 的文件夹或 .py 文件",
    "extract.too_large": "{name} 大小为 {mb} MB，作为提交文件过大",
    "extract.not_utf8": "{name} 不是 UTF-8 文本（第 {start} 字节处：{reason}）",
    "extract.empty": "{name} 是空文件",
    "extract.not_json": "{name} 不是有效的 notebook（不是 JSON：{error}）",
    "extract.unreadable": "{name} 不是 nbformat 能读取的 notebook（{error}）",
    "extract.nbformat": "{name} 的格式为 nbformat {version}，应为 nbformat 4",
    "extract.syntax": "{label}：不是有效的 Python 代码{where}：{error}；已跳过",
    "extract.syntax_line": " (第 {line} 行)",
    "extract.skipped": "{label}，第 {line} 行：`{code}` 没有被评分器运行（评分器只运行 import、定义和赋值）；请把它放进函数里，或写成赋值语句",
    "extract.code_too_large": "{label}：已跳过，提交的代码超过 {mb} MB",
    "extract.symlink": "{name} 是符号链接：评分器只读取提交本身的文件",
    "extract.too_deep": "{name} 不是评分器能读取的 notebook（其 JSON 嵌套过深）",
    "extract.too_many_cells": "{label}：已跳过（其后的单元格也一样）：一份提交最多可有 {cells} 个代码单元格",
    # running a part
    "run.not_graded": "{part} 部分的代码无法评分：{detail}。",
    "run.not_graded_job": "无法评分：{detail}。",
    "run.budget_used": "整个提交的时间额度已被前面的部分用完",
    "run.grader_error": "评分器自身在这项检查上出错（{error}）；这不是你的代码的问题",
    "run.last_output": " 它最后的输出是：\n{output}",
    "run.no_result": "没有返回任何结果",
    "run.malformed": "返回的结果格式有误（{error}）",
    "run.incomplete": "返回的结果不完整",
    "run.zygote_gone": "沙箱的 zygote 进程意外结束",
    "run.too_much_output": "结果超过了 {mb} MB",
    "run.timeout": "运行时间超过了允许的 {seconds:g} 秒，已被终止",
    "run.exited": "进程在完成前以状态码 {code} 退出",
    "run.signal": "进程因 {signal} 而终止",
    "run.SIGXCPU": "进程因 SIGXCPU 而终止：使用的 CPU 时间超过了限制",
    "run.SIGXFSZ": "进程因 SIGXFSZ 而终止：写出的输出超过了限制",
    "run.SIGKILL": "进程因 SIGKILL 而终止：它被强制结束（内存不足，或是它自己结束了自己）",
    "run.SIGSEGV": "进程因 SIGSEGV 而终止：程序崩溃（段错误）",
    "run.SIGABRT": "进程因 SIGABRT 而终止：程序异常中止（abort）",
    "run.cell_raised": "{where}{line} 抛出了 {error}",
    "run.cell_line": ", 第 {line} 行",
    "run.not_defined": "`{names}` 未定义。",
    "run.not_defined_error": "`{names}` 未定义（本应定义它的单元格抛出了错误：见备注）。",
    # judging one observation
    "judge.not_raised": "torch 在这里会抛出 {error}（{message}），但你的代码没有抛出异常。",
    "judge.raised": "你的代码抛出了 {error}：{message}",
    "judge.missing_key": "你的代码产生的结果中缺少 `{key}`。",
    # the part-level rules
    "rule.where": "{label}，第 {line} 行：`{code}`（{rule}）",
    "rule.torch_embedding": "torch 自带的嵌入函数",
    "rule.dynamic": "动态属性访问或代码生成",
    "rule.processes": "线程或进程",
    "rule.kit": "评分器自身的代码",
    "rule.import": "不在允许列表中的导入（torch、torch.nn、torch.nn.functional、math、numpy 等）",
    "rule.star": "星号导入（请逐个导入要用的名称）",
    "rule.static": "被评分的代码不允许使用这些（见 notebook 开头的规则）：{hits}。本部分记零分。",
    "rule.one_hot.select": "查表必须是独热乘积（one_hot(indices) @ weight）：你的实现按位置读取表中的行（`{op}`），而不是用独热矩阵乘以整张表。本部分记零分。",
    "rule.one_hot.raw": "查表必须是独热乘积（one_hot(indices) @ weight）：结果直接含有表中的值，没有对表的各行求和（行被复制或切片，而不是与独热矩阵相乘）。本部分记零分。",
    "rule.one_hot.unrelated": "查表必须是独热乘积（one_hot(indices) @ weight）：结果并非来自与表的乘积（它的值是在 torch 运算之外取得的，例如经由 Python 列表或 numpy）。本部分记零分。",
    "rule.forbidden_kernel": "代码调用了 torch 自带的嵌入函数（评分时拒绝了 {n} 次调用：F.embedding、nn.Embedding、torch.embedding_renorm_ 等无论以何种方式调用都已被关闭）。本部分记零分。",
    "rule.refusal_needs_work": "只有当同一个函数在有效输入上也能正常工作时，对错误输入抛出异常才能得分；这里并非如此。",
    # comparing a value with torch's (compare.py)
    "cmp.torch_raises": "{what}：torch 在这里会抛出异常（{error}），但你的代码返回了 {got}。",
    "cmp.yours_raised": "{what}：你的代码抛出了 {got}，而 torch 返回的是 {expected}。",
    "cmp.value": "{what}：期望 {expected}，实际为 {got}。",
    "cmp.shape": "{what}：期望形状为 {expected}，实际为 {got}。",
    "cmp.dtype": "{what}：期望 dtype 为 {expected}，实际为 {got}。",
    "cmp.device": "{what}：期望张量位于 {expected} 上，实际位于 {got} 上。",
    "cmp.a_tensor": "形状为 {shape}、dtype 为 {dtype} 的张量",
    "cmp.an_exception": "一个异常（{error}）",
    "cmp.differ": (
        "{what}：{total} 个位置中有 {bad} 个数值不一致（容差：{tol}）；第一个位于索引 {where}：实际为 {got}，"
        "期望为 {expected}"
    ),
    "cmp.largest": "；最大差异位于 {where}：实际为 {got}，期望为 {expected}",
    "cmp.listing": "。\n    实际：{got}\n    期望：{expected}",
    "cmp.tol_exact": "精确相等",
    "cmp.tol_half": "torch 自身相对 float64 的误差的两倍，或 count·eps·max|g|",
    "cmp.tol_close": "atol {atol:g} + rtol {rtol:g}·|期望值|",
    # common causes (i18n.CAUSES: when each applies), keyed part/check[:variant]
    "cause.*/*:not_implemented": '还没有实现：把代码框架中的 `raise NotImplementedError(...)` 行换成你的代码',
    "cause.*/*:forbidden": '你的代码用到了 torch 自带的嵌入实现（F.embedding、nn.Embedding、torch.embedding_renorm_，或基于它们的类），评分时它们被关闭了：请用你自己的代码计算',
    "cause.*/*:other_reason": '它抛出了异常，但对旁边的有效输入也抛出异常：它是因为别的原因（程序崩溃）失败的，而不是因为输入无效；请先修好其他未通过的检查',
    "cause.*/*:timeout": '对每个位置或每一行写的 Python 循环在评分程序的规模下太慢了：请改用一次向量化运算',
    "cause.one_hot_lookup/*:dtype": '结果的 dtype 与 weight 不同：F.one_hot 生成的是 int64；用 .to(weight.dtype) 转换独热矩阵（不要用 .float()），weight 保持原样',
    "cause.one_hot_lookup/*:mixed_dtypes": '独热矩阵和嵌入表以不同的 dtype 进入乘法：用 .to(weight.dtype) 转换独热矩阵',
    "cause.one_hot_lookup/*:long": 'F.one_hot 只接受 int64 索引：先检查 dtype，再用 .long() 转换 int32 索引',
    "cause.one_hot_lookup/*:width": '乘法两边的形状对不上：独热矩阵必须有 V = weight.shape[0] 列（显式给出 num_classes，不要从数据推断），而且 (*, V) @ (V, D) 不需要转置',
    "cause.one_hot_lookup/*:infer_empty": 'F.one_hot 无法从空的索引推断宽度：传入 num_classes=weight.shape[0]',
    "cause.one_hot_lookup/*:out_shape": '输出不是 (*indices.shape, D)：展平后的乘积要变回原来的形状，也不要给 0 维索引多加一维',
    "cause.one_hot_lookup/*:out_shape_grad": '输出不是 (*indices.shape, D)：展平后的乘积要变回原来的形状，也不要给 0 维索引多加一维',
    "cause.one_hot_lookup/*:view": 'view() 不能用于转置过或扩展过的张量：请用 reshape()',
    "cause.one_hot_lookup/*:no_grad": '梯度到不了嵌入表：结果必须来自与 weight 本身的乘积（不能用 weight.detach()、.data，也不能把行复制到新张量里）',
    "cause.one_hot_lookup/*:range_check": '你的范围检查拒绝了有效的索引：满足 0 <= 索引 < weight.shape[0] 的索引都是有效的',
    "cause.one_hot_lookup/lecture_example:grad": '输出正确但梯度不对：嵌入表是通过自动求导追踪不到的方式进入结果的（weight.detach()、.data、经由 Python 复制数值）',
    "cause.one_hot_lookup/lecture_example": '先做最基本的情形：one_hot(indices, num_classes=V) 转为 weight 的 dtype，乘以 weight，形状为 (*indices.shape, D)',
    "cause.one_hot_lookup/int32_indices": 'int32 索引必须得到与 int64 索引相同的结果：先检查 dtype，再用 .long() 转换，并用转换后的索引构造独热矩阵',
    "cause.one_hot_lookup/scalar_index": '0 维索引必须得到形状为 (D,) 的一行：保持 indices 的形状（0 维张量的独热是 (V,)，而 (V,) @ (V, D) 是 (D,)）；不要用 unsqueeze 或 view(-1, 1) 多加一维',
    "cause.one_hot_lookup/empty_indices": '空的索引得到空的 (..., D) 输出：indices.numel() == 0 时跳过范围检查，传入 num_classes，并保持形状（(3, 0) 得到 (3, 0, D)）',
    "cause.one_hot_lookup/largest_index_below_V": '无论索引里有什么，独热矩阵都必须有 V = weight.shape[0] 列：F.one_hot(indices, num_classes=V)，而不是 max(indices) + 1 列',
    "cause.one_hot_lookup/noncontiguous_inputs": '转置或切片过的表、转置过的索引必须给出相同的值：用 reshape（不要用 view），不要假定任何内存布局',
    "cause.one_hot_lookup/output_is_a_new_tensor": '输出与嵌入表共享内存：返回一个新张量（乘法本身就会生成新张量）',
    "cause.one_hot_lookup/leaves_its_inputs_alone": '你的代码修改了它的输入：对 indices 或 weight 的原地方法（unsqueeze_、squeeze_、sort_ 等）会改动调用方的张量；请用不带下划线的版本',
    "cause.one_hot_lookup/every_kind_of_input": '某一种输入（上面已指出）让查表出错：用 reshape 而不是 view，保持 0 维和空张量的形状，转换 int32 索引',
    "cause.one_hot_lookup/rejects_bad_index_dtypes": '只有 int64 和 int32 索引是有效的：在转换之前拒绝其他所有 dtype（float、int16、uint8、bool），因为 .long() 会让它们看起来有效',
    "cause.one_hot_lookup/rejects_out_of_range_indices": '自己检查范围 0 <= 索引 < V：-1 的独热（或索引）会悄悄回绕',
    "cause.one_hot_lookup/rejects_a_table_that_is_not_2d": '先检查 weight.dim() == 2：一维的 weight 会让乘法变成矩阵乘向量，不会报错',
    "cause.one_hot_lookup/large_table": '即使有 1000 行、大量重复，查表也必须精确：每个独热行只有一个 1，dtype 与 weight 相同，宽度为 V',
    "cause.one_hot_lookup/random_shapes": '25 个小规模情形中有一个不一致（上面已指出）：通常是 0 维索引、空的维度、D = 0 或 int32 索引',
    "cause.one_hot_lookup/is_a_one_hot_product": '构造独热矩阵，再用它乘以整张表：one_hot(indices, V).to(weight.dtype) @ weight；索引（weight[indices]、index_select、gather、逐个 weight[k] 的循环）是按位置读取行',
    "cause.one_hot_lookup/uses_its_own_code": '删掉信息中指出的调用（torch 自带的嵌入实现）或不允许的导入',
    "cause.embedding_backward/*:dtype": '创建梯度表时没有指定 dtype=：torch.zeros(V, D) 是 float32；请用 dtype=grad_output.dtype、device=grad_output.device 创建',
    "cause.embedding_backward/*:mixed_dtypes": '梯度表与 grad_output 的 dtype 不同：用 dtype=grad_output.dtype 创建梯度表',
    "cause.embedding_backward/*:reshape_zero": '没有元素时（D = 0），reshape(-1, D) 推断不出 -1：请写 reshape(indices.numel(), D)',
    "cause.embedding_backward/*:shape": '梯度必须是 (num_embeddings, D)：按 num_embeddings 确定行数，而不是 indices.max() + 1',
    "cause.embedding_backward/*:zero_d": 'len() 和 for 循环不能用于 0 维张量：用 indices.reshape(-1) 展平，用 numel() 计数',
    "cause.embedding_backward/*:view": 'view() 不能用于转置、切片或扩展过的 grad_output：请用 reshape()',
    "cause.embedding_backward/sums_repeated_rows": '重复的索引必须累加：index_add_（或 one_hotᵀ @ grad）会求和，`out[idx] = rows` 只保留其中一个',
    "cause.embedding_backward/padding_row_is_zero_when_hit:row": '填充行必须恰好是 0.0：求和之前就去掉填充位置（事后再减掉会留下舍入误差）',
    "cause.embedding_backward/padding_row_is_zero_when_hit": '必须去掉填充位置：只保留索引不等于 padding_idx 的位置，再做 index_add_',
    "cause.embedding_backward/padding_idx_zero": '`if padding_idx:` 会把 0 当成没有填充：应判断 `padding_idx is not None`',
    "cause.embedding_backward/negative_padding_idx_counts_from_the_end": '负的 padding_idx 从末尾倒数：先换算成 padding_idx + num_embeddings，再与索引比较',
    "cause.embedding_backward/padding_idx_never_hit": '从未出现的 padding_idx 不改变任何东西：无论索引里有什么，表都是 num_embeddings 行',
    "cause.embedding_backward/padding_positions_are_skipped_not_zeroed": '求和之前就去掉填充位置：把它们乘以 0（掩码，或独热矩阵的转置）会把 inf 和 NaN 变成 NaN 并带到其他行，事后把那一行清零已经太晚（这里 padding_idx 是 0：`if padding_idx:` 会跳过它）',
    "cause.embedding_backward/leaves_its_inputs_alone": '你的代码修改了它的输入：对 grad_output 的视图或对索引做原地操作（div_、mul_ 等）会改动调用方的张量；请把结果算到新张量里',
    "cause.embedding_backward/every_kind_of_input": '某一种输入（上面已指出）让反向传播出错：用 reshape（不要用 view）展平，按 indices.numel()（而不是 -1）确定大小，转换 int32 索引',
    "cause.embedding_backward/scale_grad_by_freq": '在整个 indices 张量上统计每个索引的次数（torch.bincount(idx, minlength=V)），再用各位置自己的索引的次数去除该位置的那一行',
    "cause.embedding_backward/padding_idx_must_be_in_range": 'padding_idx 必须在 [-V, V) 内：先检查再规范化，超出范围时像 torch 一样抛出 AssertionError',
    "cause.embedding_backward/rejects_out_of_range_indices": '像第 1 部分那样检查索引（0 <= 索引 < V，用 _check_indices）：无效的索引必须报错，不能被丢掉或回绕',
    "cause.embedding_backward/rejects_bad_index_dtypes": '在转换之前检查索引的 dtype（第 1 部分的 _check_indices）：.long() 会让 float 和 bool 索引看起来有效',
    "cause.embedding_backward/any_index_shape": '任何形状的索引展平之后都一样处理：indices.reshape(-1) 是 (N,)，grad_output.reshape(N, D)，0 维和空的索引也不例外',
    "cause.embedding_backward/embedding_dim_zero": 'D = 0 时 reshape(-1, D) 推断不出 -1：请写 reshape(indices.numel(), D)',
    "cause.embedding_backward/half_precision": 'float16 和 bfloat16 的梯度要在 float32 下累加，最后再转换回 grad_output 的 dtype',
    "cause.embedding_backward/random_settings": '25 组设置中有一组不一致（上面已指出）：看看它的 padding_idx、scale_grad_by_freq 和形状',
    "cause.embedding_backward/uses_its_own_code": '删掉信息中指出的调用：对 F.embedding 自动求导用的是 torch 自己的反向传播',
    "cause.embedding_renorm/*:leaf": '对需要梯度的叶子张量做原地修改，必须放在 torch.no_grad() 之下',
    "cause.embedding_renorm/*:zero_d": 'len() 和 for 循环不能用于 0 维张量：用 torch.unique(indices.reshape(-1)) 取出各行',
    "cause.embedding_renorm/*:expanded_write": '你的代码原地写入了调用方的索引（扩展过的视图不能写入）：请对副本排序或修改',
    "cause.embedding_renorm/*:dtype": '重新缩放必须保持 weight 的 dtype：在 float64 下计算因子，再舍入到 weight.dtype',
    "cause.embedding_renorm/renorms_only_the_indexed_rows": '只重新缩放索引中出现的行，每行乘以 max_norm / (norm + 1e-7)，并写回 weight 本身',
    "cause.embedding_renorm/tiny_norms_need_the_epsilon": '因子是 max_norm / (norm + 1e-7)：1e-7 加在范数上，位于分母中',
    "cause.embedding_renorm/norm_types": '用 torch.linalg.vector_norm(rows, ord=norm_type, dim=1)：它能处理 p = inf（|x| 的最大值）和 p < 1，而 (sum |x|^p)^(1/p) 不能',
    "cause.embedding_renorm/norm_types_cuda": '在 weight 所在的设备上用 torch.linalg.vector_norm(rows, ord=norm_type, dim=1)',
    "cause.embedding_renorm/only_norms_strictly_above_max_norm": '只重新缩放范数严格大于 max_norm 的行（> 而不是 >=），其他行保持不变（不要对每一行都乘以 min(1, 因子)）',
    "cause.embedding_renorm/repeated_indices_renorm_once": '缩放前每行只取一次（torch.unique）：重复的索引不能被缩放两次',
    "cause.embedding_renorm/works_on_a_leaf_that_requires_grad:same_object": '重新缩放作用在副本上：必须原地修改调用方的 weight，并返回这个张量本身',
    "cause.embedding_renorm/works_on_a_leaf_that_requires_grad": '在 torch.no_grad() 下原地修改 weight，并返回同一个张量对象',
    "cause.embedding_renorm/bumps_the_version": '通过 weight 本身（或 weight.detach()）写入，而不是 weight.data：.data 会对自动求导的版本计数器隐瞒这次修改',
    "cause.embedding_renorm/int32_indices": 'int32 索引必须可用：先检查，再用 .long() 转换',
    "cause.embedding_renorm/leaves_the_indices_alone": '你的代码修改了调用方的索引（原地的 sort_ 或 unsqueeze_），或改变了 weight 的形状或步长：只原地修改 weight 的值',
    "cause.embedding_renorm/every_kind_of_input": '某一种输入（上面已指出）让重新缩放出错：用 reshape 而不是 view，并用 weight[rows] = ... 把各行写回 weight，无论它是什么内存布局',
    "cause.embedding_renorm/rejects_bad_index_dtypes": '在转换之前检查索引的 dtype（第 1 部分的 _check_indices）：.long() 会让 float 和 bool 索引看起来有效',
    "cause.embedding_renorm/rejects_out_of_range_indices": '检查索引（第 1 部分的 _check_indices）：-1 会悄悄地重新缩放最后一行',
    "cause.embedding_renorm/random_settings": '20 组设置中有一组不一致（上面已指出）：看看它的 norm_type、max_norm 和重复的索引',
    "cause.embedding_renorm/uses_its_own_code": '删掉信息中指出的调用（torch.embedding_renorm_ 是 torch 自带的实现）',
    "cause.embedding_module/*:no_grad": '输出没有梯度：只有重新缩放应该放在 torch.no_grad() 之下，查表不应该',
    "cause.embedding_module/*:dtype": 'dtype=（以及 device=）必须用到权重上：torch.empty(V, D, dtype=dtype, device=device)',
    "cause.embedding_module/*:dtype_value": 'dtype=（以及 device=）必须用到权重上：torch.empty(V, D, dtype=dtype, device=device)',
    "cause.embedding_module/*:state_dict": "state_dict 只能含有 'weight'：不能多出缓冲区或参数",
    "cause.embedding_module/*:from_pretrained": 'from_pretrained 必须是你的 Embedding 的类方法（classmethod）',
    "cause.embedding_module/constructor_attributes:parameter": 'weight 必须是 nn.Parameter：requires_grad=True 的普通张量不在 parameters() 和 state_dict() 里',
    "cause.embedding_module/constructor_attributes": '把每个参数保存为同名属性，padding_idx 要规范化（-2 变成 V - 2：用第 2 部分的辅助函数）',
    "cause.embedding_module/init_is_standard_normal_with_zero_padding_row:padding": '抽样之后要把填充行置零，padding_idx 为 0 和负数时也一样（`if self.padding_idx:` 会跳过 0）',
    "cause.embedding_module/init_is_standard_normal_with_zero_padding_row": 'nn.Embedding 先从 N(0, 1) 抽样（nn.init.normal_），再把填充行置零',
    "cause.embedding_module/init_is_standard_normal_in_distribution": '要从 N(0, 1) 本身抽样（nn.init.normal_）：截断正态、均匀分布或 Xavier 的分布形状都不对',
    "cause.embedding_module/reset_parameters": 'reset_parameters() 必须重新从 N(0, 1) 抽样，并再次把填充行置零',
    "cause.embedding_module/padding_idx_must_be_in_range": '在构造函数中检查 padding_idx 的范围（用第 2 部分的辅助函数）：[-V, V)',
    "cause.embedding_module/forward_matches": 'forward 就是那个 Function：_EmbeddingFunction.apply(input, self.weight, self.padding_idx, self.scale_grad_by_freq)，它的 forward 是 one_hot_lookup',
    "cause.embedding_module/forward_leaves_its_input_alone": 'forward 修改了调用方的索引（原地），或者在没有 max_norm 时修改了权重',
    "cause.embedding_module/every_kind_of_input": '某一种输入（上面已指出）让模块出错：用 reshape 而不是 view，并把每个选项都传下去',
    "cause.embedding_module/rejects_bad_index_dtypes": 'forward 必须像各个函数那样拒绝无效的索引：不要在检查之前就转换它们（.long()）',
    "cause.embedding_module/rejects_out_of_range_indices": '无论有没有 max_norm，forward 都必须拒绝超出范围的索引：重新缩放也要检查它们',
    "cause.embedding_module/backward_matches": '把 padding_idx 和 scale_grad_by_freq 传给 Function，再由它传给 embedding_backward',
    "cause.embedding_module/padding_positions_are_skipped_in_backward": '模块的梯度必须来自你的 embedding_backward（Function 的 backward），它会跳过填充位置；对乘积自动求导则不会',
    "cause.embedding_module/max_norm_renorms_before_the_lookup:copy": '重新缩放改的是副本：要通过 self.weight.detach() 重新缩放 self.weight 本身，并使用模块的 norm_type',
    "cause.embedding_module/max_norm_renorms_before_the_lookup": '在查表之前用模块的 norm_type 原地（在 no_grad 下）重新缩放被查到的行',
    "cause.embedding_module/max_norm_bumps_the_version:clone": '模块在 torch 不会报错的地方报错了（文档示例使用 .clone() 时必须正常运行）：它是因为别的原因失败的；请先修好其他未通过的检查',
    "cause.embedding_module/max_norm_bumps_the_version": '通过 self.weight.detach() 而不是 self.weight.data 重新缩放：.data 会对自动求导的版本计数器隐瞒这次修改，隐患就发现不了',
    "cause.embedding_module/repr_matches": 'extra_repr 先打印 num_embeddings、embedding_dim，再只打印与默认值不同的选项，值按传入的原样打印（max_norm=2，不是 2.0）',
    "cause.embedding_module/state_dict_both_ways": "state_dict 只能含有 'weight'（不能多出缓冲区或参数）",
    "cause.embedding_module/from_pretrained:frozen": 'freeze 默认为 True：把 _freeze=freeze 传给构造函数，由它设置 requires_grad = not _freeze',
    "cause.embedding_module/from_pretrained:shared": '直接包装传入的张量（不要 clone）：带 max_norm 的前向传播必须重新缩放调用方的张量',
    "cause.embedding_module/from_pretrained:padding": '保留传入的填充行（不要置零），并把 padding_idx 传给构造函数',
    "cause.embedding_module/from_pretrained:not_2d": '检查 embeddings.dim() == 2，否则抛出 AssertionError',
    "cause.embedding_module/from_pretrained": 'from_pretrained 就是 cls(V, D, _weight=embeddings, _freeze=freeze, ...)，每个选项都要传下去',
    "cause.embedding_module/private_weight_and_freeze:shape": '检查 _weight 的形状是否为 (num_embeddings, embedding_dim)，否则抛出 AssertionError',
    "cause.embedding_module/private_weight_and_freeze": '_weight 原样成为 Parameter（不复制，保留填充行）；_freeze=True 表示 requires_grad 为 False',
    "cause.embedding_module/dtype_and_device_arguments": 'dtype= 和 device= 必须用到权重上：torch.empty(V, D, dtype=dtype, device=device)',
    "cause.embedding_module/sparse_is_refused_or_right": 'sparse=True 时必须抛出 NotImplementedError（明确拒绝），除非梯度真的是稀疏的',
    "cause.embedding_module/embedding_dim_zero": 'Embedding(5, 0) 必须可用：任何地方都不能假定 D > 0（D = 0 时 reshape(-1, D) 会出错）',
    "cause.embedding_module/uses_its_own_code": '建立在你自己的函数之上：继承 nn.Embedding 或调用 F.embedding 都会运行 torch 自带的嵌入实现',
    "cause.numerical_gradient/linear": "每个元素是 (f(W + h·E) - f(W - h·E)) / (2h)，其中 E 在 [k, j] 处为 1：只改动 W[k, j]，调用两次 f，在处理下一个元素之前把 W[k, j] 恢复原值",
    "cause.numerical_gradient/backward": "你的 embedding_backward 与导数本身不一致：看看它算错了哪些行（重复的 id 必须累加）",
    "cause.numerical_gradient/padding": "padding_idx=0 时，你的反向传播必须恰好在第 0 行与真正的导数不同：它忽略了 padding_idx=0（`if padding_idx:` 把 0 当成了不填充），或者清零了错误的行",
    "cause.training/curves": "常见原因，按顺序：填充行得到了梯度（padding_idx 没有传下去）、max_norm 被忽略或在查表之后才执行、scale_grad_by_freq 传错了、权重的初始化与 nn.Embedding 不同（起点不同：曲线从第 0 步就不一样）",
    "report.comment": "{part}：{score:.2f} / {max:.0f} 分。评分器的完整报告是该部分评分单元格的输出。",
    "feedback.unreadable": "**无法读取你的 notebook，因此其中的内容都没有被评分：每个部分都是 0 分。**\n\n"
                           "原因：{reason}\n\n"
                           "notebook 是一个 JSON 文件；你的文件被截断了，或在 Jupyter 之外被修改过（合并出错、用文本编辑器改过）。"
                           "修复方法：在 JupyterLab 中打开它；如果打不开，使用 *File → Revert Notebook to Checkpoint*，"
                           "或者把作业重新获取到一个新文件夹，再把你的代码复制进去。然后点 *Validate* 并重新提交。"
                           "下面是发布时的 notebook，即实际被评分的版本。",
}

QUESTIONS = {
    "one_hot_lookup/lecture_example": "用 (2,4) 的索引查 (10,3) 的表，输出和梯度是否与 torch 的 (2,4,3) 结果一致？",
    "one_hot_lookup/int32_indices": "int32 索引是否和 int64 索引一样可用（单用 F.one_hot 会拒绝 int32 索引）？",
    "one_hot_lookup/scalar_index": "0 维索引是否像 weight[7] 那样得到形状为 (D,) 的一行？",
    "one_hot_lookup/empty_indices": "形状为 (0,)、(3,0) 和 (0,4) 的空索引张量是否得到空输出和全零梯度，(6, 0) 的表（embedding_dim 为 0）是否也能用？",
    "one_hot_lookup/largest_index_below_V": (
        "当 V=50 而索引最大只到 39 时，独热矩阵是否仍为 50 列（不能自动推断 num_classes）？"
    ),
    "one_hot_lookup/noncontiguous_inputs": "转置过的表、带步长（strided）的表以及转置过的索引，是否给出相同的值？",
    "one_hot_lookup/output_is_a_new_tensor": "输出是否为新的张量，向它写入不会改动嵌入表？",
    "one_hot_lookup/rejects_bad_index_dtypes": "float、int16、uint8 和 bool 类型的索引（0 维、1 维和 2 维）是否会被拒绝并抛出异常，而同样的值作为 int64 时被接受（bool 不是掩码）？",
    "one_hot_lookup/rejects_out_of_range_indices": "索引 V、-1 和 -V（0 维、1 维和 2 维，int64 和 int32）是否会抛出异常，而不是像 weight[-1] 那样悄悄回绕，同时形状相同、取值在范围内的索引被接受？",
    "one_hot_lookup/rejects_a_table_that_is_not_2d": "1 维或 3 维的 weight 是否会被拒绝并抛出异常？",
    "one_hot_lookup/large_table": "用含大量重复的 (32, 32) 索引查 (1000, 64) 的表，结果是否完全精确？",
    "one_hot_lookup/random_shapes": (
        "基于性质的测试（property-based）随机选取的 25 种形状（V、D、索引维数 0-4、空维度、int32；前 8 种用 float64）"
        "是否全部一致？"
    ),
    "embedding_backward/sums_repeated_rows": (
        "用 5000 个索引覆盖 100 行（大量重复）时，grad_output 的各行是否按索引累加？"
    ),
    "embedding_backward/padding_row_is_zero_when_hit": "padding_idx=3 且索引中出现 3 时，梯度的第 3 行是否严格为零？",
    "embedding_backward/padding_idx_zero": "padding_idx=0 是否生效（0 是合法的填充索引，而不表示“无填充”）？",
    "embedding_backward/negative_padding_idx_counts_from_the_end": (
        "V=10 时，padding_idx=-2 是否将第 8 行（而非第 2 行）置零，padding_idx=-1 是否将第 9 行置零？"
    ),
    "embedding_backward/padding_idx_never_hit": "当 padding_idx 从未出现在索引中时，梯度是否与普通情况相同？",
    "embedding_backward/padding_positions_are_skipped_not_zeroed": (
        "如果 grad_output 在填充位置上含有 NaN 和 inf，填充行是否仍严格为零、其余各行是否都是有限值"
        "（应跳过这些贡献，而不是先加上再置零）？"
    ),
    "embedding_backward/leaves_its_inputs_alone": "调用之后 grad_output（连续、转置、带步长、带偏移、扩展）和 indices（0 维、1 维、2 维、带步长、转置、扩展）是否保持不变（值、形状、dtype 和步长 strides）？",
    "embedding_backward/scale_grad_by_freq": (
        "scale_grad_by_freq=True 时，每个索引的贡献是否除以它在整个索引张量中（批次中所有行合计）"
        "的出现次数？有无填充两种情况都要满足。"
    ),
    "embedding_backward/padding_idx_must_be_in_range": (
        "V=5 时，padding_idx 为 5、6 和 -6 是否抛出异常，而 4、0 和 -5 被接受？"
    ),
    "embedding_backward/rejects_out_of_range_indices": "索引 V、-1 和 -V（0 维、1 维和 2 维，int64 和 int32）是否会抛出异常，而不是被丢弃或回绕，同时形状相同、取值在范围内的索引被接受？",
    "embedding_backward/any_index_shape": "0 维索引、空索引、int32 索引和 4 维索引是否都能得到 (V, D) 的梯度？",
    "embedding_backward/half_precision": "在 float16/bfloat16 下，梯度是否与 torch 的一样精确（以 float64 为基准）？",
    "embedding_backward/random_settings": (
        "基于性质的测试（property-based）随机选取的 25 组设置（V、D、形状、padding_idx、scale_grad_by_freq、int32；"
        "前 8 组用 float64）是否全部与 torch 一致？"
    ),
    "embedding_renorm/renorms_only_the_indexed_rows": (
        "索引中出现的第 0、1、3、5 行是否被重新缩放到 max_norm=1，而第 2、4、6、7 行保持逐位不变？"
    ),
    "embedding_renorm/tiny_norms_need_the_epsilon": (
        "当范数约为 1e-6 且 max_norm=1e-6 时，缩放系数是否为 max_norm / (norm + 1e-7)（包含 eps）？"
    ),
    "embedding_renorm/norm_types": "norm_type 是否生效：p = 1、3、0.5 和 inf（|x| 的最大值）？",
    "embedding_renorm/norm_types_cuda": "在 CUDA 上 norm_type=1 是否生效？",
    "embedding_renorm/only_norms_strictly_above_max_norm": (
        "max_norm=5 时，[3, 4]（范数恰好为 5）和 [0.6, 0.8] 是否保持不变，[6, 8] 是否被缩放？"
    ),
    "embedding_renorm/repeated_indices_renorm_once": (
        "每一行都在索引中出现两次时，是否每行只重新缩放一次（而不是两次）？"
    ),
    "embedding_renorm/works_on_a_leaf_that_requires_grad": (
        "能否在 requires_grad=True 的叶子张量上原地执行，且不留下自动求导历史？"
    ),
    "embedding_renorm/int32_indices": "int32 索引是否可用？",
    "embedding_renorm/rejects_out_of_range_indices": "索引 V、-1 和 -V（0 维、1 维和 2 维，int64 和 int32）是否会抛出异常，而不是对回绕后的行做重新缩放，同时形状相同、取值在范围内的索引被接受？",
    "embedding_renorm/random_settings": (
        "基于性质的测试（property-based）随机选取的 20 组设置（V、D、索引个数、max_norm、取 1 或 2 的 norm_type、"
        "范数或小或大的行；前 8 组用 float64）是否全部与 torch 一致？"
    ),
    "embedding_module/constructor_attributes": (
        "构造函数是否保存了 nn.Embedding 的各个属性（padding_idx=-2 保存为 V-2）？"
    ),
    "embedding_module/init_is_standard_normal_with_zero_padding_row": (
        "weight 是否按 N(0, 1) 初始化，且填充行为零（padding_idx 为 3、0 和 -2）？"
    ),
    "embedding_module/reset_parameters": "reset_parameters() 是否按 N(0, 1) 重新生成 weight，并再次将填充行置零（padding_idx 为 1 和 -1）？",
    "embedding_module/padding_idx_must_be_in_range": (
        "V=5 时，padding_idx 为 5、6 和 -6 是否抛出异常，而 4、0 和 -5 被接受？"
    ),
    "embedding_module/forward_matches": "对 (B, T)、int32、0 维和空索引，forward 的输出是否与 nn.Embedding 一致？",
    "embedding_module/backward_matches": (
        "loss.backward() 之后，weight.grad 是否与 nn.Embedding 的一致（包括 padding_idx 和 scale_grad_by_freq）？"
    ),
    "embedding_module/padding_positions_are_skipped_in_backward": (
        "通过模块反向传播时，若 grad_output 在填充位置含有 NaN 和 inf，填充行的梯度是否仍严格为零、"
        "其余各行是否都是有限值（应跳过这些位置，而不是先加上再置零）？"),
    "embedding_module/max_norm_renorms_before_the_lookup": (
        "max_norm=1 时，被查到的行是否在查表之前就被原地重新缩放，且输出就是重新缩放后的行？"
    ),
    "embedding_module/max_norm_bumps_the_version": (
        "对一个之前已用过的 weight 做带 max_norm 的 forward，是否会像 torch 文档所述那样触发自动求导的原地修改错误"
        "（应通过 weight.detach() 而不是 weight.data 重新缩放）？"
    ),
    "embedding_module/repr_matches": "repr() 的输出是否与 nn.Embedding 的一致（extra_repr）？",
    "embedding_module/state_dict_both_ways": (
        "state_dict() 是否只包含 'weight'，torch 的 state_dict 能否加载到你的模块中？"
    ),
    "embedding_module/from_pretrained": (
        "from_pretrained 是否与传入的张量共享存储（max_norm 会对调用方的张量重新缩放）、保留非零的填充行、"
        "默认冻结，并在 freeze=False 时可以训练？"
    ),
    "embedding_module/private_weight_and_freeze": (
        "_weight（原样使用、不将填充行置零、检查形状）和 _freeze 的行为是否与 torch 一致？"
    ),
    "embedding_module/dtype_and_device_arguments": (
        "dtype= 和 device= 是否决定 weight 的类型与所在设备，forward 的结果是否也保持在那里？"
    ),
    "embedding_module/sparse_is_refused_or_right": (
        "sparse=True 时，是抛出 NotImplementedError，还是给出正确的（稀疏）梯度？"
    ),
    "one_hot_lookup/leaves_its_inputs_alone": "调用之后 indices（0 维、1 维、2 维、带步长、转置、扩展）和 weight（连续、转置、带步长、带偏移、扩展）是否保持不变（值、形状、dtype 和步长 strides）？",
    "one_hot_lookup/is_a_one_hot_product": "按实际计算判断，查表是否是独热乘积：表中的值是否只通过对表的各行与独热矩阵求和（矩阵乘法、einsum、稀疏乘积）到达结果，而从不按位置读取（weight[indices]、index_select、gather、逐个 weight[k] 的循环）？",
    "one_hot_lookup/uses_its_own_code": "代码是否自行计算结果，而没有调用 torch 自带的嵌入算子？",
    "embedding_backward/embedding_dim_zero": "embedding_dim 为 0（一张 (7, 0) 的表）时，无论 indices 是否为空，梯度是否都是空的 (7, 0) 张量？",
    "embedding_backward/uses_its_own_code": "代码是否自行计算结果，而没有调用 torch 自带的嵌入算子？",
    "embedding_renorm/bumps_the_version": "每次调用是否以自动求导能看到的方式原地修改 weight（版本计数器会增加，与 torch 自带的一致；通过 weight.data 写入会隐藏这次修改）？",
    "embedding_renorm/leaves_the_indices_alone": "调用之后 indices（0 维、1 维、2 维、带步长、转置、扩展）是否保持不变（值、形状、dtype 和步长），weight 是否被原地重新缩放且形状和步长不变（连续、转置、带步长、带偏移的视图），空的 indices 和一张 (4, 0) 的表是否什么都不改变？",
    "embedding_renorm/uses_its_own_code": "代码是否自行计算结果，而没有调用 torch 自带的嵌入算子？",
    "embedding_module/forward_leaves_its_input_alone": "传给 forward 的 indices（0 维、1 维、2 维、带步长、转置、扩展）之后是否保持不变（值、形状、dtype 和步长），没有 max_norm 时 forward 是否不改变 weight？",
    "embedding_module/embedding_dim_zero": "Embedding(5, 0) 对 (2, 3) 的 indices 是否给出 (2, 3, 0) 的输出和 (5, 0) 的梯度？",
    "embedding_module/uses_its_own_code": "代码是否自行计算结果，而没有调用 torch 自带的嵌入算子？",
    # every kind of input (issue 23)
    "one_hot_lookup/every_kind_of_input": "各种索引张量（0 维、1 维、2 维、4 维和空张量；int64 和 int32；连续、转置、带步长（sliced）、扩展（expanded）和带偏移（offset）的视图）配上各种布局的表（同样这些视图）以及 embedding_dim 为 0 的表，输出和梯度是否都与 torch 一致？",
    "embedding_backward/every_kind_of_input": "各种索引张量（0 维、1 维、2 维、4 维和空张量；int64 和 int32；连续、转置、带步长、扩展和带偏移的视图）配上各种布局的 grad_output（同样这些视图），以及 V = 1 和 embedding_dim 为 0 的情况，轮流使用 padding_idx 和 scale_grad_by_freq，梯度是否都与 torch 一致？",
    "embedding_backward/rejects_bad_index_dtypes": "float、int16、uint8 和 bool 类型的索引（0 维、1 维和 2 维）是否像在每个部分中一样被拒绝并抛出异常，而同样的值作为 int64 时被接受？",
    "embedding_renorm/every_kind_of_input": "各种索引张量（0 维、1 维、2 维、4 维和空张量；int64 和 int32；连续、转置、带步长、扩展和带偏移的视图）对各种可原地写入布局的表（连续、转置、带步长和带偏移的视图；CUDA 上只用连续的）、只有 1 行的表以及 embedding_dim 为 0 的表（CPU）做重新缩放，结果是否都与 torch 一致？",
    "embedding_renorm/rejects_bad_index_dtypes": "float、int16、uint8 和 bool 类型的索引（0 维、1 维和 2 维）是否像在每个部分中一样被拒绝并抛出异常，而同样的值作为 int64 时被接受？",
    "embedding_module/every_kind_of_input": "forward 能否接受各种索引张量（0 维、1 维、2 维、4 维和空张量；int64 和 int32；连续、转置、带步长、扩展和带偏移的视图）、以各种布局传给 from_pretrained 的 weight、V = 1 和 embedding_dim 为 0，并在轮流使用 padding_idx、max_norm 和 scale_grad_by_freq 时给出与 nn.Embedding 一致的输出和梯度？",
    "embedding_module/rejects_bad_index_dtypes": "forward 是否拒绝 float、int16、uint8 和 bool 类型的索引（0 维、1 维和 2 维；有无 max_norm）并抛出异常，而同样的值作为 int64 时被接受？",
    "embedding_module/rejects_out_of_range_indices": "forward 对索引 V、-1 和 -V（0 维、1 维和 2 维，int64 和 int32；有无 max_norm）是否会抛出异常而不是回绕，同时形状相同、取值在范围内的索引被接受？",
    "embedding_module/init_is_standard_normal_in_distribution": "新建的 Embedding(2000, 32) 以及调用 reset_parameters() 之后的 64,000 个值是否呈 N(0, 1) 分布：超出 ±3 的值的个数是否相当（截断正态分布一个也没有），Kolmogorov-Smirnov 距离是否小于 N(0, 1) 自身超过的概率不到百万分之一的界限？",
}
